import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '@md2wx/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors.js';
import { DraftState } from '../src/state.js';

const tsxLoader = pathToFileURL(path.join(repoRoot, 'node_modules/tsx/dist/esm/index.mjs')).href;

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

describe('DraftState shared by several writers (issue 19 #1)', () => {
  it('keeps every entry when 20 writers that opened the file at once save their own', async () => {
    const file = path.join(dir, '.md2wx', 'drafts.json');
    const states = await Promise.all(Array.from({ length: 20 }, () => DraftState.open(file)));
    await Promise.all(
      states.map(async (state, i) => {
        state.set('wxA', `posts/p${i}.md`, { media_id: `M${i}`, index: 0 });
        await state.save();
      }),
    );
    const merged = await DraftState.open(file);
    expect(Object.keys(merged.snapshot().accounts.wxA ?? {})).toHaveLength(20);
    for (let i = 0; i < 20; i++) expect(merged.get('wxA', `posts/p${i}.md`)?.media_id).toBe(`M${i}`);
    expect((await readdir(path.dirname(file))).sort()).toEqual(['drafts.json']);
  });

  it('keeps every entry when 8 processes save at the same moment, and a deletion stays deleted', async () => {
    const file = path.join(dir, '.md2wx', 'drafts.json');
    const seed = await DraftState.open(file);
    seed.set('wxA', 'gone.md', { media_id: 'G', index: 0 });
    await seed.save();
    const stateModule = pathToFileURL(path.join(import.meta.dirname, '../src/state.ts')).href;
    const startAt = Date.now() + 3000;
    const script = (i: number) => `
      const { DraftState } = await import(${JSON.stringify(stateModule)});
      const state = await DraftState.open(${JSON.stringify(file)});
      state.set('wxA', 'posts/p${i}.md', { media_id: 'M${i}', index: 0 });
      if (${i} === 0) state.delete('wxA', 'gone.md');
      await new Promise((r) => setTimeout(r, ${startAt} - Date.now()));
      await state.save();`;
    await Promise.all(
      Array.from(
        { length: 8 },
        (_, i) =>
          new Promise<void>((resolve, reject) => {
            execFile(
              process.execPath,
              ['--import', tsxLoader, '--input-type=module', '-e', script(i)],
              { cwd: dir },
              (error) => (error ? reject(error) : resolve()),
            );
          }),
      ),
    );
    const merged = await DraftState.open(file);
    expect(Object.keys(merged.snapshot().accounts.wxA ?? {}).sort()).toEqual(
      Array.from({ length: 8 }, (_, i) => `posts/p${i}.md`).sort(),
    );
  });
});
