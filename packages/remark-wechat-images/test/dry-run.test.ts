import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { probeImage } from '@md2wx/images';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../src/types.js';
import { runFile } from './helpers.js';

describe.skipIf(!requireCorpus())('dry run (no uploader)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rwi-dry-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('compresses into outDir and points the Markdown at the local files', async () => {
    await mkdir(path.join(dir, 'posts'));
    await copyFile(
      corpusPath('images/photos/mate-dune-1021283-bytes.jpg'),
      path.join(dir, 'posts', 'dune.jpg'),
    );
    await writeFile(
      path.join(dir, 'posts', 'p.md'),
      '# P\n\n![Dune](dune.jpg "Sand")\n\n<img src="dune.jpg">\n',
    );
    const outDir = path.join(dir, 'out', 'img');
    const events: ProgressEvent[] = [];
    const result = await runFile(path.join(dir, 'posts', 'p.md'), {
      outDir,
      onProgress: (e) => events.push(e),
    });
    expect(result.error).toBeUndefined();
    const files = await readdir(outDir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[0-9a-f]{16}\.jpg$/);
    expect(result.markdown).toContain(`![Dune](../out/img/${files[0]} "Sand")`);
    expect(result.markdown).toContain(`<img src="../out/img/${files[0]}">`);
    const written = await readFile(path.join(outDir, files[0]!));
    expect(written.length).toBeLessThan(1_000_000);
    expect((await probeImage(written)).width).toBeLessThanOrEqual(1080);
    expect(events.map((e) => e.stage)).toEqual(['resolved', 'processed', 'written']);
    expect(events.at(-1)!.totals.bytesSaved).toBe(1_021_283 - written.length);
  });

  it('uses publicPath for the rewritten URLs and does not rewrite an existing output file', async () => {
    await copyFile(corpusPath('images/orientation/recurser-Landscape_0.jpg'), path.join(dir, 'l.jpg'));
    await writeFile(path.join(dir, 'p.md'), '![](l.jpg)\n');
    const outDir = path.join(dir, 'public', 'images');
    const first = await runFile(path.join(dir, 'p.md'), { outDir, publicPath: '/images/' });
    const [name] = await readdir(outDir);
    expect(first.markdown.trim()).toBe(`![](/images/${name})`);
    const mtime = (await stat(path.join(outDir, name!))).mtimeMs;
    const second = await runFile(path.join(dir, 'p.md'), { outDir, publicPath: '/images' });
    expect(second.markdown).toBe(first.markdown);
    expect((await stat(path.join(outDir, name!))).mtimeMs).toBe(mtime);
  });

  it('fails the file with every bad image even without an uploader', async () => {
    await writeFile(path.join(dir, 'p.md'), '![a](a.png)\n\n![b](b.png)\n');
    const result = await runFile(path.join(dir, 'p.md'), {});
    expect(result.error?.message).toMatch(/2 image problem/);
    expect(result.file.messages.map((m) => `${m.line}:${m.column}:${m.ruleId}`)).toEqual([
      '1:1:not-found',
      '3:1:not-found',
    ]);
  });
});
