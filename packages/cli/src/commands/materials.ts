/**
 * `md2wx materials add|list|count|get|delete`: permanent materials (wechat-api.md §2.4–§2.8).
 */
import path from 'node:path';
import { ExitCode, type ExitCodeValue, UsageError } from '../errors.js';
import type { Session } from '../session.js';
import { writeFileAtomic } from '@md2wx/publish';

/** Options of `md2wx materials add`. */
export interface AddMaterialOptions {
  type?: 'image' | 'voice' | 'video' | 'thumb';
  /** Video: the title WeChat shows (required for video). */
  title?: string;
  /** Video: its description. */
  introduction?: string;
}

/**
 * `material/add_material` (§2.4, seeds/003): a permanent image, voice, video or thumb → its media_id (and the
 * image's URL). Limits are checked before sending: image 10 MB, voice 2 MB, video 10 MB MP4, thumb 64 KB JPG.
 * @throws UsageError for a video without `--title`; WechatInputError for a file over its limit (exit 1);
 *   WechatApiError (exit 3).
 */
export async function runAddMaterial(
  session: Session,
  target: string,
  options: AddMaterialOptions,
): Promise<ExitCodeValue> {
  const { reporter } = session;
  const type = options.type ?? 'image';
  if (type === 'video' && !options.title) {
    throw new UsageError('materials add --type video needs --title (and usually --introduction), §2.4');
  }
  const client = await session.officialAccount();
  const file = path.resolve(session.config.cwd, target);
  const answer = await client.addMaterial({
    type,
    file,
    ...(type === 'video'
      ? { description: { title: options.title as string, introduction: options.introduction ?? '' } }
      : {}),
  });
  reporter.emitJson({ type, ...answer });
  reporter.result(answer.media_id);
  if (answer.url) reporter.result(answer.url);
  reporter.success(`${target}: permanent ${type} material added (delete it with md2wx materials delete)`);
  return ExitCode.ok;
}

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
