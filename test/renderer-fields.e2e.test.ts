/**
 * End-to-end for issue 15: mermaid diagrams drawn (once), field fallbacks instead of refusals, field checks
 * in every mode, generated covers — the CLI as a subprocess, against one sandbox for the file (support/e2e-sandbox).
 */
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findChromium } from '@md2wx/diagrams';
import type { SandboxServer } from '@md2wx/sandbox';
import { corpusDir, requireCorpus } from '@md2wx/testkit';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { mediaIds, runCli } from './cli-runner.js';
import { corpusPosts } from './corpus-posts.js';
import { useSandbox } from './support/e2e-sandbox.js';

const CHROMIUM = findChromium();
if (!CHROMIUM && process.env.CI)
  throw new Error('no Chromium on the PATH; CI needs it for the diagram tests');

const e2e = useSandbox({}, { prefix: 'md2wx-e2e-15-' });
let sandbox: SandboxServer;
let work: string;
let env: Record<string, string>;
const client = () => e2e.client();

beforeAll(() => {
  ({ sandbox, work } = e2e);
  env = e2e.env();
});

const MERMAID_POST = `---
title: 流程图
cover: generate
---

先看图：

\`\`\`mermaid
graph LR
  A[写作] --> B{检查}
  B -->|通过| C[发布]
\`\`\`

然后是文字。
`;

describe.skipIf(!CHROMIUM)('mermaid through the CLI', { tags: ['chromium'] }, () => {
  it('a post with mermaid renders the diagram as an image; the second render does not start the browser', async () => {
    const dir = path.join(work, 'mermaid');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'post.md'), MERMAID_POST);
    // A Chromium that writes a line per start: the browser's starts, counted from outside.
    const log = path.join(dir, 'launches.log');
    const wrapper = path.join(dir, 'chromium.sh');
    await writeFile(wrapper, `#!/bin/sh\necho start >> '${log}'\nexec '${CHROMIUM}' "$@"\n`);
    await chmod(wrapper, 0o755);
    const launches = async () =>
      (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
    const run = () =>
      runCli(['post.md', '--cache-dir', path.join(dir, 'cache'), '--json'], {
        cwd: dir,
        env: { MD2WX_CHROMIUM: wrapper },
      });

    const first = await run();
    expect(first.code, first.stderr).toBe(0);
    expect(await launches()).toBe(1);
    const preview = await readFile(path.join(dir, 'out', 'post.preview.html'), 'utf8');
    expect(preview).not.toContain('data-lang="mermaid"');
    expect(preview).not.toContain('graph LR');
    const [img] = [...preview.matchAll(/<img\b[^>]*\bsrc="([^"]*)"/g)].map((m) => m[1] as string);
    expect(img).toBeDefined();
    // The diagram went through the image pipeline: a compressed file next to the preview.
    const meta = await sharp(path.join(dir, 'out', img as string)).metadata();
    expect(meta.width).toBeGreaterThan(200);
    expect(first.stderr).not.toMatch(/render\/diagram|no-diagram-code/);

    const second = await run();
    expect(second.code, second.stderr).toBe(0);
    expect(await launches()).toBe(1);
    expect(await readFile(path.join(dir, 'out', 'post.preview.html'), 'utf8')).toBe(preview);
  }, 120_000);

  it('--diagrams svg: the diagram inline as WeChat-safe SVG (no foreignObject, no <style>), no image', async () => {
    const dir = path.join(work, 'mermaid-svg');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'post.md'), MERMAID_POST);
    const run = await runCli(['post.md', '--diagrams', 'svg', '--cache-dir', path.join(dir, 'cache')], {
      cwd: dir,
    });
    expect(run.code, run.stderr).toBe(0);
    const html = await readFile(path.join(dir, 'out', 'post.preview.html'), 'utf8');
    const svg = /<svg\b[\s\S]*?<\/svg>/.exec(html)?.[0];
    expect(svg).toBeDefined();
    expect(svg).toContain('写作');
    expect(svg).not.toMatch(/<foreignObject|<style|<marker|url\(#/i);
    expect(html).not.toContain('graph LR');
    expect((await runCli(['post.md', '--diagrams', 'gif'], { cwd: dir })).code).toBe(2);
  }, 120_000);

  it('with no browser: a warning naming file:line and how to install one, the block kept, and lint MUST', async () => {
    const dir = path.join(work, 'nobrowser');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'post.md'), MERMAID_POST);
    // No PATH at all (on a merged-/usr system /bin holds chromium too); the CLI runs from process.execPath.
    const noBrowser = { PATH: '/nonexistent', MD2WX_CHROMIUM: '' };
    const lint = await runCli(['lint', 'post.md', '--cache-dir', path.join(dir, 'cache')], {
      cwd: dir,
      env: noBrowser,
    });
    expect(lint.code).toBe(1);
    expect(lint.stderr).toMatch(
      /post\.md:8:1 \[SHOULD plugin\/diagrams\] mermaid diagram kept as code: no Chromium found/,
    );
    // Said once: the renderer's own "kept as a code block" warning is left out for a block already reported.
    expect(lint.stderr).not.toContain('render/diagram');
    expect(lint.stderr).toContain('apt-get install chromium');
    expect(lint.stderr).toContain('MD2WX_CHROMIUM');
    expect(lint.stderr).toMatch(/\[MUST no-diagram-code\] mermaid diagram left as a code block/);
  }, 120_000);

  it.skipIf(!requireCorpus())(
    'md2wx lint: 0 MUST violations on every corpus post, mermaid included (field limits aside)',
    async () => {
      const posts = corpusPosts(corpusDir()).map((p) => p.file);
      expect(posts.length).toBeGreaterThanOrEqual(29);
      const result = await runCli(
        ['lint', ...posts, '--json', '--cache-dir', path.join(work, 'lint-cache')],
        {
          cwd: corpusDir(),
          timeoutMs: 400_000,
        },
      );
      const report = JSON.parse(result.stdout) as {
        posts: { file: string; diagnostics: { rule: string; severity: string; message: string }[] }[];
      };
      expect(report.posts).toHaveLength(posts.length);
      // Field limits describe the post itself (titles over 32 characters, posts without a cover, posts over
      // 20,000 characters), not the renderer's output.
      const own = new Set(['wechat/field-limit', 'size-text', 'size-bytes']);
      const must = report.posts.flatMap((p) =>
        p.diagnostics
          .filter((d) => d.severity === 'must' && !own.has(d.rule))
          .map((d) => `${path.relative(corpusDir(), p.file)}: [${d.rule}] ${d.message}`),
      );
      expect(must).toEqual([]);
      // The mermaid posts were drawn, not exempted.
      const drawn = await readdir(path.join(work, 'lint-cache', 'diagrams'));
      expect(drawn.filter((f) => f.endsWith('.png')).length).toBeGreaterThanOrEqual(5);
    },
    420_000,
  );
});

describe('field policy', () => {
  const longDescription = `${'这是一篇为搜索引擎写的文章描述，'.repeat(11)}结束。`;
  const post = `---
title: 一篇博客
description: ${longDescription}
cover: generate
---

正文第一段。
`;

  it('a post with a description over 128 characters pushes as a draft, with one warning, and no digest sent', async () => {
    const dir = path.join(work, 'digest');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'post.md'), post);
    const result = await runCli(['post.md', '--draft', '--cache-dir', path.join(dir, 'cache')], {
      cwd: dir,
      env,
    });
    expect(result.code, result.stderr).toBe(0);
    const warnings = result.stderr.split('\n').filter((l) => /description is \d+ characters/.test(l));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /post\.md:3 .*over WeChat's 128: not sent as the digest.*`digest:`.*`wechat_digest:`/,
    );
    const [media_id] = mediaIds(result.stdout);
    const article = (await client().getDraft(media_id as string)).news_item[0];
    expect(article?.title).toBe('一篇博客');
    expect(article?.digest ?? '').not.toBe(longDescription);
    expect(Array.from(article?.digest ?? '').length).toBeLessThanOrEqual(128);
    // The generated cover was uploaded as the thumb.
    expect(article?.thumb_media_id).toBeTruthy();
  }, 120_000);

  it('an explicit digest over the limit is still refused with file:line; preview and lint report it as an error', async () => {
    const dir = path.join(work, 'explicit');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'post.md'), post.replace('description:', 'digest:'));
    const draft = await runCli(['post.md', '--draft', '--cache-dir', path.join(dir, 'cache')], {
      cwd: dir,
      env,
    });
    expect(draft.code).toBe(1);
    expect(draft.stderr).toMatch(/post\.md:3: digest is \d+ characters; WeChat allows at most 128/);
    // Without --draft the preview is written, but the post is not shown as fine.
    const preview = await runCli(['post.md', '--cache-dir', path.join(dir, 'cache')], { cwd: dir });
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stderr).not.toMatch(/✔/);
    expect(preview.stderr).toMatch(/--draft would refuse it/);
    expect(preview.stderr).toMatch(/\[MUST wechat\/field-limit\] digest is \d+ characters/);
    const lint = await runCli(['lint', 'post.md'], { cwd: dir });
    expect(lint.code).toBe(1);
    expect(lint.stderr).toMatch(/post\.md:3 \[MUST wechat\/field-limit\] digest is \d+ characters/);
  }, 120_000);

  it('a post with no image and no cover is refused naming cover: generate; --cover generate makes a 2.35:1 card', async () => {
    const dir = path.join(work, 'cover');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'post.md'), '---\ntitle: 纯文字的文章\nauthor: 作者\n---\n\n只有文字。\n');
    const refused = await runCli(['post.md', '--draft', '--cache-dir', path.join(dir, 'cache')], {
      cwd: dir,
      env,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/no cover: .*`cover: generate`.*--cover generate/);
    const before = sandbox.stats().uploads;
    const ok = await runCli(
      ['post.md', '--draft', '--cover', 'generate', '--cache-dir', path.join(dir, 'cache')],
      {
        cwd: dir,
        env,
      },
    );
    expect(ok.code, ok.stderr).toBe(0);
    const article = (await client().getDraft(mediaIds(ok.stdout)[0] as string)).news_item[0];
    expect(article?.thumb_media_id).toBeTruthy();
    expect(Object.values(sandbox.stats().uploads).reduce((a, b) => a + b, 0)).toBeGreaterThan(
      Object.values(before).reduce((a, b) => a + b, 0),
    );
  }, 120_000);
});
