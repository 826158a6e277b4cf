import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseState, serializeState, STATE_FILE_FORMAT, stateFileCache } from '../src/cache/state-file.js';
import { StateFileError } from '../src/errors.js';
import type { CacheEntry } from '../src/types.js';

const entry = (n: number, extra: Partial<CacheEntry> = {}): CacheEntry => ({
  url: `http://mmbiz.qpic.cn/mmbiz_png/${n}/0?wx_fmt=png`,
  bytes: 1000 + n,
  width: 100 + n,
  height: 50 + n,
  uploadedAt: '2026-11-21T20:00:00.000Z',
  ...extra,
});

const execFileAsync = promisify(execFile);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'rwi-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('serializeState', () => {
  it('sorts keys, writes one entry per line with fields in a fixed order, and is valid JSON', () => {
    const text = serializeState({
      'wx|media/uploadimg|bbb|body': entry(2),
      'wx|material/add_material|ccc|animated': {
        uploadedAt: 'T',
        height: 1,
        width: 2,
        bytes: 3,
        media_id: 'M',
        url: 'U',
      },
      'wx|media/uploadimg|aaa|body': entry(1),
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe('{');
    expect(lines[1]).toBe(`  "format": "${STATE_FILE_FORMAT}",`);
    expect(lines[3]).toBe(
      '    "wx|material/add_material|ccc|animated": {"url":"U","media_id":"M","bytes":3,"width":2,"height":1,"uploadedAt":"T"},',
    );
    expect(lines[4]).toMatch(/^ {4}"wx\|media\/uploadimg\|aaa\|body": \{"url":/);
    expect(lines[5]).toMatch(/^ {4}"wx\|media\/uploadimg\|bbb\|body": \{"url":.*\}$/);
    expect(Object.keys(JSON.parse(text).entries)).toEqual([
      'wx|material/add_material|ccc|animated',
      'wx|media/uploadimg|aaa|body',
      'wx|media/uploadimg|bbb|body',
    ]);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('round-trips through parseState', () => {
    const entries = { b: entry(2), a: entry(1, { media_id: 'm1' }) };
    expect(parseState(serializeState(entries))).toEqual(entries);
    expect(parseState(serializeState({}))).toEqual({});
  });
});

describe('parseState', () => {
  it('loads a file left with git conflict markers as the union of both sides', () => {
    const ours = serializeState({ a: entry(1), b: entry(2) }).split('\n');
    const theirs = serializeState({ a: entry(1), c: entry(3) }).split('\n');
    const conflicted = [
      ...ours.slice(0, 4),
      '<<<<<<< HEAD',
      ours[4],
      '=======',
      theirs[4],
      '>>>>>>> feature',
      ...ours.slice(5),
    ].join('\n');
    expect(() => JSON.parse(conflicted)).toThrow();
    expect(Object.keys(parseState(conflicted)).sort()).toEqual(['a', 'b', 'c']);
  });

  it('rejects garbage and unknown formats with the file name', () => {
    expect(() => parseState('not json at all', '/x/state.json')).toThrow(StateFileError);
    expect(() => parseState('not json at all', '/x/state.json')).toThrow(/\/x\/state\.json/);
    expect(() => parseState('{"format":"other@9","entries":{}}', 's.json')).toThrow(/unknown format/);
    expect(() => parseState('[]', 's.json')).toThrow(/no "entries"/);
    expect(parseState('   \n')).toEqual({});
  });
});

describe('stateFileCache', () => {
  it('starts empty without a file, writes atomically on set and leaves no temp files', async () => {
    const file = path.join(dir, 'sub', '.md2wx-images.json');
    const cache = stateFileCache({ path: file });
    expect(await cache.get('k')).toBeUndefined();
    await cache.set('k2', entry(2));
    await cache.set('k1', entry(1));
    await cache.flush();
    const text = await readFile(file, 'utf8');
    expect(text).toBe(serializeState({ k1: entry(1), k2: entry(2) }));
    expect(await readdir(path.dirname(file))).toEqual(['.md2wx-images.json']);
  });

  it('a fresh cache (a CI runner) reads what an earlier one wrote', async () => {
    const file = path.join(dir, 'state.json');
    const first = stateFileCache({ path: file });
    await first.set('k', entry(7));
    await first.flush();
    const second = stateFileCache({ path: file });
    expect(await second.get('k')).toEqual(entry(7));
  });

  it('merges with entries another process wrote meanwhile instead of overwriting them', async () => {
    const file = path.join(dir, 'state.json');
    const a = stateFileCache({ path: file });
    const b = stateFileCache({ path: file });
    await a.get('x');
    await b.get('x');
    await a.set('from-a', entry(1));
    await a.flush();
    await b.set('from-b', entry(2));
    await b.flush();
    const onDisk = parseState(await readFile(file, 'utf8'));
    expect(Object.keys(onDisk)).toEqual(['from-a', 'from-b']);
  });

  it('coalesces many sets into few writes and keeps all of them', async () => {
    const file = path.join(dir, 'state.json');
    const cache = stateFileCache({ path: file });
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => cache.set(`k${String(i).padStart(2, '0')}`, entry(i))),
    );
    await cache.flush();
    const onDisk = parseState(await readFile(file, 'utf8'));
    expect(Object.keys(onDisk)).toHaveLength(50);
    expect(Object.keys(await cache.entries())[0]).toBe('k00');
  });

  it('several processes writing one state file at once keep every entry', async () => {
    const file = path.join(dir, 'state.json');
    const writer = fileURLToPath(new URL('./fixtures/state-writer.ts', import.meta.url));
    const run = (prefix: string) =>
      execFileAsync(process.execPath, ['--import', 'tsx', writer, file, prefix, '15'], {
        cwd: path.dirname(writer),
      });
    await Promise.all(['a', 'b', 'c'].map(run));
    const onDisk = parseState(await readFile(file, 'utf8'));
    expect(Object.keys(onDisk)).toHaveLength(45);
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('surfaces a corrupt state file as StateFileError naming it', async () => {
    const file = path.join(dir, 'state.json');
    await writeFile(file, '{ broken');
    const cache = stateFileCache({ path: file });
    await expect(cache.get('k')).rejects.toThrow(StateFileError);
    await expect(cache.get('k')).rejects.toThrow(file);
  });
});
