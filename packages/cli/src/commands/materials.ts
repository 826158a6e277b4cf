/**
 * `md2wx materials list|count|get|delete`: permanent materials (wechat-api.md §2.5–§2.8).
 */
import path from 'node:path';
import { ExitCode, type ExitCodeValue } from '../errors.js';
import type { Session } from '../session.js';
import { writeFileAtomic } from '../state.js';

/** @returns ExitCode.ok; WeChat errors are thrown (exit 3). */
export async function runMaterials(
  session: Session,
  action: 'list' | 'count' | 'get' | 'delete',
  mediaId: string | undefined,
  options: { type?: 'image' | 'video' | 'voice' | 'news'; offset?: number; count?: number; output?: string },
): Promise<ExitCodeValue> {
  const { reporter } = session;
  const client = await session.officialAccount();
  if (action === 'list') {
    const type = options.type ?? 'image';
    const page = await client.getMaterialPage(type, options.offset ?? 0, options.count ?? 20);
    reporter.emitJson(page);
    for (const item of page.item ?? [])
      reporter.result(`${item.media_id}\t${item.name ?? ''}\t${item.url ?? ''}`);
    reporter.info(`${page.item?.length ?? 0} of ${page.total_count} ${type} material(s)`);
    return ExitCode.ok;
  }
  if (action === 'count') {
    const counts = await client.getMaterialCount();
    reporter.emitJson(counts);
    for (const [key, value] of Object.entries(counts)) reporter.result(`${key}\t${value}`);
    return ExitCode.ok;
  }
  const id = mediaId as string;
  if (action === 'get') {
    const output = options.output ? path.resolve(session.config.cwd, options.output) : undefined;
    const material = await client.getMaterial(id);
    if (material.kind === 'file' && material.data) {
      if (!output) {
        reporter.result(`binary material, ${material.data.length} bytes: add --output <file> to save it`);
        reporter.emitJson({ media_id: id, kind: 'file', bytes: material.data.length });
        return ExitCode.ok;
      }
      await writeFileAtomic(output, material.data);
      reporter.emitJson({ media_id: id, kind: 'file', file: output, bytes: material.data.length });
      reporter.success(`${material.data.length} bytes written to ${output}`);
      return ExitCode.ok;
    }
    reporter.emitJson(material);
    reporter.result(JSON.stringify(material, null, 2));
    return ExitCode.ok;
  }
  await client.deleteMaterial(id);
  reporter.emitJson({ deleted: id });
  reporter.success(`material ${id} deleted`);
  return ExitCode.ok;
}
