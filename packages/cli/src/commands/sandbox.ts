/**
 * `md2wx sandbox`: runs the fake WeChat server until interrupted, printing what a client needs to use it.
 */
import path from 'node:path';
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { loadSandbox } from '../modules.js';
import type { Session } from '../session.js';

/** Serves until SIGINT/SIGTERM. @returns ExitCode.ok after a clean stop. */
export async function runSandbox(
  session: Session,
  options: { port?: number; host?: string; state?: string },
): Promise<ExitCodeValue> {
  const { startSandbox, DEFAULT_ACCOUNT, DEFAULT_WECOM_APP } = await loadSandbox();
  const startOptions: { port?: number; host?: string; statePath?: string } = {};
  if (options.port !== undefined) startOptions.port = options.port;
  if (options.host) startOptions.host = options.host;
  const stateFile = options.state
    ? path.resolve(session.config.cwd, options.state, 'sandbox.json')
    : undefined;
  if (stateFile) startOptions.statePath = stateFile;
  const sandbox = await startSandbox(startOptions);
  const { reporter } = session;
  reporter.emitJson({
    url: sandbox.url,
    wecomUrl: sandbox.wecomUrl,
    imageHost: sandbox.imageHost,
    control: sandbox.controlUrl,
    account: DEFAULT_ACCOUNT,
    wecom: DEFAULT_WECOM_APP,
    ...(stateFile ? { stateFile } : {}),
  });
  if (!reporter.json) {
    reporter.result(`WECHAT_BASE_URL=${sandbox.url}`);
    reporter.result(`WECHAT_APP_ID=${DEFAULT_ACCOUNT.appId}`);
    reporter.result(`WECHAT_APP_SECRET=${DEFAULT_ACCOUNT.appSecret}`);
    reporter.result(`WECOM_BASE_URL=${sandbox.wecomUrl}`);
    reporter.result(`WECOM_CORP_ID=${DEFAULT_WECOM_APP.corpId}`);
    reporter.result(`WECOM_CORP_SECRET=${DEFAULT_WECOM_APP.corpSecret}`);
    reporter.result(`WECOM_AGENT_ID=${DEFAULT_WECOM_APP.agentId}`);
    reporter.result(`MD2WX_SANDBOX_CONTROL=${sandbox.controlUrl}`);
    reporter.info(
      `sandbox running (test credentials above are the sandbox’s own)${stateFile ? `; state kept in ${stateFile}` : ''}; control API: curl ${sandbox.controlUrl}/stats (README of @md2wx/sandbox); Ctrl-C to stop`,
    );
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sandbox.close();
  return ExitCode.ok;
}
