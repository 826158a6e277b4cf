import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT, type SandboxOptions, type SandboxServer, startSandbox } from '../src/index.js';
import { fakeClock, oaToken, png, postJson, upload } from './helpers.js';

let sb: SandboxServer | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

async function setup(options: SandboxOptions = {}) {
  const clock = fakeClock();
  sb = await startSandbox({ clock: clock.now, publishDelayMs: 5000, ...options });
  const base = sb.url;
  const token = await oaToken(base, options.accounts?.[0] ?? DEFAULT_ACCOUNT);
  const api = (path: string) => `${base}/cgi-bin/${path}?access_token=${token}`;
  const cover = await upload(api('material/add_material') + '&type=image', {
    data: png(4, 4),
    filename: 'c.png',
  });
  const draft = await postJson(api('draft/add'), {
    articles: [
      { title: 'One', content: '<p>1</p>', thumb_media_id: cover.body.media_id },
      { title: 'Two', content: '<p>2</p>', thumb_media_id: cover.body.media_id },
    ],
  });
  return { clock, api, draftId: String(draft.media_id), sb };
}

describe('freepublish', () => {
  it('submit answers numeric publish_id/msg_data_id; status 1 until the delay, then 0 with article details', async () => {
    const { clock, api, draftId, sb: s } = await setup();
    const sub = await postJson(api('freepublish/submit'), { media_id: draftId });
    expect(sub).toEqual({
      errcode: 0,
      errmsg: 'ok',
      publish_id: expect.any(Number),
      msg_data_id: expect.any(Number),
    });
    const get = () => postJson(api('freepublish/get'), { publish_id: sub.publish_id });
    expect(await get()).toEqual({ publish_id: sub.publish_id, publish_status: 1, fail_idx: [] });
    expect(s.stats().drafts).toBe(1);
    clock.advance(5000);
    const done = await get();
    expect(done).toMatchObject({ publish_id: sub.publish_id, publish_status: 0, fail_idx: [] });
    expect(done.article_id).toEqual(expect.any(String));
    const detail = done.article_detail as { count: number; item: { idx: number; article_url: string }[] };
    expect(detail.count).toBe(2);
    expect(detail.item.map((i) => i.idx)).toEqual([1, 2]);
    const page = await fetch(String(detail.item[1]?.article_url));
    expect(await page.text()).toContain('<p>2</p>');
    // "上传到草稿箱中的素材被群发或发布后，该素材将从草稿箱中移除"
    expect(s.stats().drafts).toBe(0);
    expect((await postJson(api('draft/get'), { media_id: draftId })).errcode).toBe(40007);
    expect(s.stats().publishJobs).toBe(1);
    // a string publish_id is accepted too
    expect(
      (await postJson(api('freepublish/get'), { publish_id: String(sub.publish_id) })).publish_status,
    ).toBe(0);
  });

  it('getarticle, batchget and delete (1-based index; 0 deletes all)', async () => {
    const { clock, api, draftId } = await setup();
    const sub = await postJson(api('freepublish/submit'), { media_id: draftId });
    clock.advance(5000);
    const done = await postJson(api('freepublish/get'), { publish_id: sub.publish_id });
    const articleId = String(done.article_id);
    const art = await postJson(api('freepublish/getarticle'), { article_id: articleId });
    expect(
      (art.news_item as { title: string; is_deleted: boolean }[]).map((a) => [a.title, a.is_deleted]),
    ).toEqual([
      ['One', false],
      ['Two', false],
    ]);
    const list = await postJson(api('freepublish/batchget'), { offset: 0, count: 10, no_content: 1 });
    expect(list).toMatchObject({ total_count: 1, item_count: 1 });
    expect((list.item as { article_id: string }[])[0]?.article_id).toBe(articleId);
    expect(await postJson(api('freepublish/delete'), { article_id: articleId, index: 2 })).toEqual({
      errcode: 0,
      errmsg: 'ok',
    });
    const after = await postJson(api('freepublish/getarticle'), { article_id: articleId });
    expect((after.news_item as { is_deleted: boolean }[]).map((a) => a.is_deleted)).toEqual([false, true]);
    expect((await postJson(api('freepublish/delete'), { article_id: articleId, index: 3 })).errcode).toBe(
      40114,
    );
    expect(await postJson(api('freepublish/delete'), { article_id: articleId })).toEqual({
      errcode: 0,
      errmsg: 'ok',
    });
    expect((await postJson(api('freepublish/getarticle'), { article_id: articleId })).errcode).toBe(53600);
  });

  it('a publishFailure fault ends jobs in status 2 with fail_idx, keeping the draft', async () => {
    const {
      clock,
      api,
      draftId,
      sb: s,
    } = await setup({ faults: { publishFailure: { status: 2, failIdx: [2] } } });
    const sub = await postJson(api('freepublish/submit'), { media_id: draftId });
    clock.advance(5000);
    expect(await postJson(api('freepublish/get'), { publish_id: sub.publish_id })).toEqual({
      publish_id: sub.publish_id,
      publish_status: 2,
      fail_idx: [2],
    });
    expect(s.stats().drafts).toBe(1);
  });

  it('errors: unknown draft 40007, unknown publish_id 40002, unverified account 48001, quota 45009', async () => {
    const unverified = { ...DEFAULT_ACCOUNT, verified: false };
    const { api, draftId } = await setup({ accounts: [unverified], quotas: {} });
    expect((await postJson(api('freepublish/submit'), { media_id: draftId })).errcode).toBe(48001);
    await sb?.close();
    const s2 = await setup({ quotas: { 'freepublish/submit': 1 } });
    expect((await postJson(s2.api('freepublish/submit'), { media_id: 'nope' })).errcode).toBe(40007);
    expect((await postJson(s2.api('freepublish/submit'), { media_id: s2.draftId })).errcode).toBe(45009);
    expect((await postJson(s2.api('freepublish/get'), { publish_id: 1 })).errcode).toBe(40002);
    expect((await postJson(s2.api('freepublish/batchget'), { offset: 0, count: 21 })).errcode).toBe(40002);
    expect((await postJson(s2.api('freepublish/getarticle'), { article_id: 'nope' })).errcode).toBe(53600);
    expect((await postJson(s2.api('freepublish/delete'), { article_id: 'nope' })).errcode).toBe(53600);
  });
});
