/**
 * `md2wx drafts list|get|delete` (wechat-api.md §2.12). `delete` also forgets the draft in the state file, so
 * the next run of its post creates a new draft.
 */
import { ExitCode, type ExitCodeValue } from '../errors.js';
import type { Session } from '../session.js';
import { DraftState } from '@md2wx/publish';

/** @returns ExitCode.ok; WeChat errors are thrown (exit 3). */
export async function runDrafts(
  session: Session,
  action: 'list' | 'get' | 'delete',
  mediaId: string | undefined,
  options: { offset?: number; count?: number },
): Promise<ExitCodeValue> {
  const { reporter } = session;
  const client = await session.officialAccount();
  if (action === 'list') {
    const answer = await client.listDrafts({
      offset: options.offset ?? 0,
      count: options.count ?? 20,
      no_content: true,
    });
    reporter.emitJson(answer);
    for (const item of answer.item ?? []) {
      const titles = (item.content?.news_item ?? []).map((n) => n.title).join(' | ');
      const when = item.update_time ? new Date(item.update_time * 1000).toISOString() : '';
      reporter.result(`${item.media_id}\t${when}\t${titles}`);
    }
    reporter.info(`${answer.item?.length ?? 0} of ${answer.total_count ?? '?'} draft(s)`);
    return ExitCode.ok;
  }
  const id = mediaId as string;
  if (action === 'get') {
    const answer = await client.getDraft(id);
    reporter.emitJson(answer);
    for (const [i, item] of (answer.news_item ?? []).entries()) {
      reporter.result(`#${i} ${item.title}${item.author ? ` — ${item.author}` : ''}`);
      if (item.url) reporter.result(`   ${item.url}`);
      reporter.result(
        `   thumb_media_id ${item.thumb_media_id}, content ${item.content?.length ?? 0} characters`,
      );
    }
    return ExitCode.ok;
  }
  await client.deleteDraft(id);
  if (!session.ephemeral && session.accountId) {
    const state = await DraftState.open(session.config.stateFile);
    for (const [key] of state.entriesFor(session.accountId, id)) state.delete(session.accountId, key);
    await state.save();
  }
  reporter.emitJson({ deleted: id });
  reporter.success(`draft ${id} deleted`);
  return ExitCode.ok;
}
