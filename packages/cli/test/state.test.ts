import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors.js';
import { DraftState } from '../src/state.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'md2wx-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('DraftState', () => {
  it('keys posts by wechat_id, else by path relative to the project root', async () => {
    const state = await DraftState.open(path.join(dir, '.md2wx', 'drafts.json'));
    expect(state.root).toBe(dir);
    expect(state.keyFor(path.join(dir, 'posts', 'a.md'))).toBe('posts/a.md');
    expect(state.keyFor(path.join(dir, 'posts', 'a.md'), 'hello')).toBe('wechat_id:hello');
  });

  it('writes sorted JSON atomically and reads it back', async () => {
    const file = path.join(dir, '.md2wx', 'drafts.json');
    const state = await DraftState.open(file);
    state.set('wxB', 'z.md', { media_id: 'M2', index: 0, updated_at: 't' });
    state.set('wxA', 'b.md', { media_id: 'M1', index: 0, updated_at: 't' });
    state.set('wxA', 'a.md', { media_id: 'M1', index: 1, bundle: ['b.md', 'a.md'], updated_at: 't' });
    await state.save();
    const text = await readFile(file, 'utf8');
    expect(Object.keys(JSON.parse(text).accounts)).toEqual(['wxA', 'wxB']);
    expect(Object.keys(JSON.parse(text).accounts.wxA)).toEqual(['a.md', 'b.md']);
    expect(await readdir(path.dirname(file))).toEqual(['drafts.json']);
    const again = await DraftState.open(file);
    expect(again.get('wxA', 'a.md')).toEqual({
      media_id: 'M1',
      index: 1,
      bundle: ['b.md', 'a.md'],
      updated_at: 't',
    });
    expect(again.entriesFor('wxA', 'M1').map(([k]) => k)).toEqual(['a.md', 'b.md']);
    again.delete('wxA', 'a.md');
    await again.save();
    expect((await DraftState.open(file)).get('wxA', 'a.md')).toBeUndefined();
  });

  it('does not write when nothing changed', async () => {
    const file = path.join(dir, 'drafts.json');
    await (await DraftState.open(file)).save();
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a file that is not a state file, naming it', async () => {
    const file = path.join(dir, 'drafts.json');
    await writeFile(file, '[1,2]');
    await expect(DraftState.open(file)).rejects.toBeInstanceOf(ConfigError);
    await writeFile(file, '{oops');
    await expect(DraftState.open(file)).rejects.toThrow(/drafts\.json is not valid JSON/);
  });

  it('an ephemeral state never touches the disk', async () => {
    const state = DraftState.ephemeral(path.join(dir, 'x.json'));
    state.set('wx', 'a.md', { media_id: 'M', index: 0 });
    await state.save();
    expect(await readdir(dir)).toEqual([]);
    expect(state.get('wx', 'a.md')?.media_id).toBe('M');
  });
});
