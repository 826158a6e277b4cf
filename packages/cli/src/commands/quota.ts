/**
 * `md2wx quota`: WeCom media/uploadimg usage (seeds/001 M4: 1,000 images a day, 3,000 a month per corp, §3.3)
 * as counted in the store by every md2wx run sharing it (the file store on this machine, or Redis).
 */
import { ExitCode, type ExitCodeValue, UsageError } from '../errors.js';
import type { Session } from '../session.js';
import { wecomImageQuota } from '@md2wx/publish';

/** @returns ExitCode.ok. @throws UsageError without `--platform wecom` (the Official Account has no such cap here). */
export async function runQuota(session: Session): Promise<ExitCodeValue> {
  const { reporter, config } = session;
  if (config.platform !== 'wecom') {
    throw new UsageError(
      'md2wx quota reports WeCom uploadimg usage: add --platform wecom (Official Account quotas: mp.weixin.qq.com → 接口权限)',
    );
  }
  const usage = await wecomImageQuota(session);
  reporter.emitJson({ api: 'media/uploadimg', corpId: config.wecom?.corpId, ...usage });
  reporter.result(
    `uploadimg today (${usage.day.window}, China time)\t${usage.day.used} of ${usage.day.limit}`,
  );
  reporter.result(
    `uploadimg this month (${usage.month.window})\t${usage.month.used} of ${usage.month.limit}`,
  );
  reporter.info(
    session.sharedStore
      ? 'counted in the shared Redis store (every runner)'
      : 'counted by md2wx runs using this machine’s store; set MD2WX_REDIS_URL to count every runner',
  );
  return ExitCode.ok;
}
