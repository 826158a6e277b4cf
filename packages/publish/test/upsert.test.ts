import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '@md2wx/sandbox';
import type { DraftArticle, OfficialAccountClient } from '@md2wx/wechat';
import { loadSandbox, loadWechat } from '../src/modules.js';
import { upsertDraft } from '../src/pipeline.js';
import { DraftState } from '../src/state.js';

const here = path.dirname(new URL(import.meta.url).pathname);
const PNG = path.join(here, '../../../examples/hello/images/pipeline.png');

// Loaded through the CLI's own lazy loaders, so the test exercises the modules the CLI gets.
let sandbox: Sandbox;
let DEFAULT_ACCOUNT: { appId: string; appSecret: string };
let client: OfficialAccountClient;
let dir: string;
let thumb: string;

beforeAll(async () => {
  const sandboxModule = await loadSandbox();
  DEFAULT_ACCOUNT = sandboxModule.DEFAULT_ACCOUNT;
  sandbox = await sandboxModule.startSandbox();
  client = (await loadWechat()).createOfficialAccountClient({ ...DEFAULT_ACCOUNT, baseUrl: sandbox.url });
  dir = await mkdtemp(path.join(tmpdir(), 'md2wx-upsert-'));
  thumb = (await client.addMaterial({ type: 'image', data: await readFile(PNG), filename: 'cover.png' }))
    .media_id;
});
afterAll(async () => {
  await sandbox?.close();
  await rm(dir, { recursive: true, force: true });
});

const article = (title: string): DraftArticle => ({
  title,
  content: `<p>${title}</p>`,
  thumb_media_id: thumb,
});

describe('upsertDraft against the sandbox (draft/add, draft/update, draft/get)', () => {
  it('creates, then updates the same draft, then re-creates it when deleted in WeChat', async () => {
    const state = await DraftState.open(path.join(dir, '.md2wx', 'drafts.json'));
    const account = DEFAULT_ACCOUNT.appId;
    const first = await upsertDraft(client, state, account, ['a.md'], [article('one')]);
    expect(first.action).toBe('created');
    const second = await upsertDraft(client, state, account, ['a.md'], [article('two')]);
    expect(second).toEqual({ media_id: first.media_id, action: 'updated' });
    expect((await client.getDraft(first.media_id)).news_item[0]?.title).toBe('two');
    expect(sandbox.stats().drafts).toBe(1);

    await client.deleteDraft(first.media_id);
    const third = await upsertDraft(client, state, account, ['a.md'], [article('three')]);
    expect(third.action).toBe('recreated');
    expect(third.media_id).not.toBe(first.media_id);
    const saved = JSON.parse(await readFile(path.join(dir, '.md2wx', 'drafts.json'), 'utf8'));
    expect(saved.accounts[account]['a.md'].media_id).toBe(third.media_id);
  });

  it('keeps a bundle in one draft and makes a new one when the bundle changes', async () => {
    const state = await DraftState.open(path.join(dir, 'bundle.json'));
    const account = DEFAULT_ACCOUNT.appId;
    const created = await upsertDraft(client, state, account, ['x.md', 'y.md'], [article('x'), article('y')]);
    expect(created.action).toBe('created');
    expect(state.get(account, 'y.md')).toMatchObject({
      media_id: created.media_id,
      index: 1,
      bundle: ['x.md', 'y.md'],
    });
    const updated = await upsertDraft(
      client,
      state,
      account,
      ['x.md', 'y.md'],
      [article('x2'), article('y2')],
    );
    expect(updated).toEqual({ media_id: created.media_id, action: 'updated' });
    const items = (await client.getDraft(created.media_id)).news_item;
    expect(items.map((i) => i.title)).toEqual(['x2', 'y2']);
    const reordered = await upsertDraft(
      client,
      state,
      account,
      ['y.md', 'x.md'],
      [article('y'), article('x')],
    );
    expect(reordered.action).toBe('recreated');
    expect(reordered.media_id).not.toBe(created.media_id);
  });

  it('does not re-create a draft when draft/update refuses the cover (40007 for the thumb, draft still there)', async () => {
    const state = await DraftState.open(path.join(dir, 'thumb.json'));
    const account = DEFAULT_ACCOUNT.appId;
    const created = await upsertDraft(client, state, account, ['t.md'], [article('t')]);
    const drafts = sandbox.stats().drafts;
    const bad = { ...article('t2'), thumb_media_id: 'no-such-material' };
    await expect(upsertDraft(client, state, account, ['t.md'], [bad])).rejects.toMatchObject({
      errcode: 40007,
    });
    expect(sandbox.stats().drafts).toBe(drafts);
    expect(state.get(account, 't.md')?.media_id).toBe(created.media_id);
  });
});
