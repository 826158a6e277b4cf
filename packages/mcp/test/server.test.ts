/**
 * The MCP server through the SDK's own client: an in-memory transport pair for the tools against a sandbox
 * over HTTP (render, lint, draft created then updated, publish, errors), and one stdio smoke test spawning
 * the built `md2wx-mcp` bin.
 */
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DEFAULT_ACCOUNT, type Sandbox, startSandbox } from '@md2wx/sandbox';
import { corpusPath, repoRoot, requireCorpus } from '@md2wx/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, TOOL_NAMES } from '../src/index.js';

let sandbox: Sandbox;
let work: string;
let root: string;
const uploads = () => Object.values(sandbox.stats().uploads).reduce((a, b) => a + b, 0);

async function connect(env: NodeJS.ProcessEnv, serverRoot = root): Promise<Client> {
  const server = await createServer({ root: serverRoot, env });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'md2wx-mcp-test', version: '0.0.0' });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  return client;
}

function sandboxEnv(): NodeJS.ProcessEnv {
  return {
    WECHAT_APP_ID: DEFAULT_ACCOUNT.appId,
    WECHAT_APP_SECRET: DEFAULT_ACCOUNT.appSecret,
    WECHAT_BASE_URL: sandbox.url,
  };
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

function text(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

/** The structured result of a successful call; fails the test with the tool's error text otherwise. */
function structured<T>(result: CallToolResult): T {
  expect(result.isError ?? false, text(result)).toBe(false);
  return result.structuredContent as T;
}

beforeAll(async () => {
  sandbox = await startSandbox({ publishDelayMs: 20 });
  work = await mkdtemp(path.join(tmpdir(), 'md2wx-mcp-'));
  root = path.join(work, 'blog');
  await cp(path.join(repoRoot, 'examples/hello'), path.join(root, 'hello'), { recursive: true });
});

afterAll(async () => {
  await sandbox?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('md2wx MCP server (in-memory transport, sandbox over HTTP)', () => {
  let client: Client;
  beforeAll(async () => {
    client = await connect(sandboxEnv());
  });
  afterAll(async () => {
    await client?.close();
  });

  it('lists the four tools with their input and output schemas', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual([...TOOL_NAMES]);
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(Object.keys(byName.render_post?.inputSchema.properties ?? {}).sort()).toEqual([
      'markdown',
      'path',
      'theme',
    ]);
    expect(byName.push_draft?.inputSchema.required).toEqual(['path']);
    expect(byName.publish_draft?.outputSchema?.properties).toHaveProperty('publish_id');
    expect(byName.render_post?.annotations?.readOnlyHint).toBe(true);
    expect(byName.publish_draft?.annotations?.destructiveHint).toBe(true);
  });

  it('render_post renders offline: WeChat HTML, title, diagnostics, and nothing uploaded despite credentials', async () => {
    const before = uploads();
    const result = structured<{ title: string; html: string; images: { images: number; uploaded: number } }>(
      await call(client, 'render_post', { path: 'hello/post.md' }),
    );
    expect(result.title).toBe('md2wx 你好：从 Markdown 到公众号草稿');
    expect(result.html).toMatch(/^<section\b/);
    expect(result.html).toContain('<img');
    expect(result.images.images).toBe(3);
    expect(result.images.uploaded).toBe(0);
    expect(uploads()).toBe(before);
  });

  it('render_post takes Markdown text, resolving its images against `path`', async () => {
    const markdown = '# 一张图\n\n![照片](images/dusk.jpg)\n';
    const result = structured<{ title: string; html: string; images: { images: number; processed: number } }>(
      await call(client, 'render_post', { markdown, path: 'hello/draft-from-chat.md' }),
    );
    expect(result.title).toBe('一张图');
    expect(result.images).toMatchObject({ images: 1, processed: 1 });
  });

  it('lint_post reports field limits and linter findings with their line', async () => {
    const file = path.join(root, 'hello/too-long.md');
    const title = '这是一个非常非常长的标题，它远远超过了微信公众号允许的三十二个字符的上限，所以必须被拒绝';
    await writeFile(file, `---\ntitle: ${title}\n---\n\n正文。\n\n![照片](images/dusk.jpg)\n`);
    const result = structured<{
      must: number;
      diagnostics: { rule: string; severity: string; message: string; line?: number }[];
    }>(await call(client, 'lint_post', { path: 'hello/too-long.md' }));
    const field = result.diagnostics.find((d) => d.rule === 'wechat/field-limit');
    expect(field, JSON.stringify(result.diagnostics)).toMatchObject({ severity: 'must', line: 2 });
    expect(field?.message).toMatch(/title/);
    expect(result.must).toBeGreaterThan(0);
  });

  it('refuses a path outside the root, and a symlink inside it that points out', async () => {
    const outside = await call(client, 'lint_post', { path: '../secret.md' });
    expect(outside.isError).toBe(true);
    expect(text(outside)).toMatch(/outside the server's root/);
    await writeFile(path.join(work, 'secret.md'), '# secret\n');
    await symlink(path.join(work, 'secret.md'), path.join(root, 'link.md'));
    const linked = await call(client, 'render_post', { path: 'link.md' });
    expect(linked.isError).toBe(true);
    expect(text(linked)).toMatch(/outside the server's root/);
    const absolute = await call(client, 'push_draft', { path: path.join(work, 'secret.md') });
    expect(absolute.isError).toBe(true);
  });

  it('an unknown theme is an error naming the built-in ones', async () => {
    const result = await call(client, 'render_post', { path: 'hello/post.md', theme: 'no-such-theme' });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/no-such-theme.*wechat.*tech.*minimal/s);
  });

  it('says what to give when neither path nor markdown is given', async () => {
    const result = await call(client, 'render_post', {});
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/`path`.*`markdown`/);
  });

  it('push_draft creates the draft, a second push updates it (same media_id), publish_draft publishes it', async () => {
    const drafts = sandbox.stats().drafts;
    const progress: { progress: number; message?: string }[] = [];
    const first = structured<{ media_id: string; action: string; images: { uploaded: number } }>(
      (await client.callTool({ name: 'push_draft', arguments: { path: 'hello/post.md' } }, undefined, {
        onprogress: (p) => progress.push(p),
        resetTimeoutOnProgress: true,
      })) as CallToolResult,
    );
    expect(first.action).toBe('created');
    expect(first.media_id).toMatch(/\S{8,}/);
    expect(first.images.uploaded).toBe(3);
    expect(sandbox.stats().drafts).toBe(drafts + 1);
    // Progress notifications: one per step worth telling, counting up, the draft's media_id in the last.
    expect(progress.map((p) => p.progress)).toEqual(progress.map((_, i) => i + 1));
    expect(progress.filter((p) => /image .* uploaded/.test(p.message ?? ''))).toHaveLength(3);
    expect(progress.at(-1)?.message).toBe(`draft created (media_id ${first.media_id})`);
    const state = JSON.parse(await readFile(path.join(root, '.md2wx/drafts.json'), 'utf8'));
    expect(JSON.stringify(state)).toContain(first.media_id);

    const second = structured<{ media_id: string; action: string; images: { uploaded: number } }>(
      await call(client, 'push_draft', { path: 'hello/post.md' }),
    );
    expect(second).toMatchObject({ media_id: first.media_id, action: 'updated' });
    expect(second.images.uploaded).toBe(0);
    expect(sandbox.stats().drafts).toBe(drafts + 1);

    const published = structured<{ media_id: string; status: string; publish_id: string; urls: string[] }>(
      await call(client, 'publish_draft', { path: 'hello/post.md' }),
    );
    expect(published).toMatchObject({ media_id: first.media_id, status: 'published' });
    expect(published.publish_id).toMatch(/\S/);
    expect(published.urls.length).toBe(1);
    expect(sandbox.stats().publishJobs).toBeGreaterThan(0);
  });

  it.runIf(requireCorpus())(
    'cancelling push_draft mid-upload stops the run; the next push creates one draft, the one after updates it',
    async () => {
      const dir = path.join(root, 'cancel');
      await mkdir(path.join(dir, 'images'), { recursive: true });
      const images = [
        'photos/canon-sx60_orient6.jpg',
        'png/sharp-flag-nl-16bit.png',
        'png/skimage-astronaut-photo.png',
      ];
      for (const [i, image] of images.entries())
        await cp(corpusPath(`images/${image}`), path.join(dir, `images/${i}${path.extname(image)}`));
      await writeFile(
        path.join(dir, 'post.md'),
        '# 取消之后\n\n![a](images/0.jpg)\n\n![b](images/1.png)\n\n![c](images/2.png)\n',
      );
      const drafts = sandbox.stats().drafts;
      const requests = () => Object.values(sandbox.stats().requests).reduce((a, b) => a + b, 0);
      sandbox.setFaults({ latencyMs: 400 });
      const controller = new AbortController();
      try {
        const cancelled = client.callTool(
          { name: 'push_draft', arguments: { path: 'cancel/post.md' } },
          undefined,
          {
            signal: controller.signal,
            onprogress: (p) => {
              if (/image .* uploaded/.test(p.message ?? '')) controller.abort();
            },
          },
        );
        await expect(cancelled).rejects.toThrow(/abort/i);
        // The server's run stops at its next check; wait until the sandbox sees no more requests.
        let seen = -1;
        while (seen !== requests()) {
          seen = requests();
          await new Promise((resolve) => setTimeout(resolve, 1_000));
        }
      } finally {
        sandbox.setFaults({ latencyMs: 0 });
      }
      expect(sandbox.stats().drafts).toBe(drafts);
      const stateFile = path.join(root, '.md2wx/drafts.json');
      // No state file yet (nothing was saved), or one that does not know the post.
      expect(await readFile(stateFile, 'utf8').catch(() => '{}')).not.toContain('cancel/post.md');

      const created = structured<{ media_id: string; action: string }>(
        await call(client, 'push_draft', { path: 'cancel/post.md' }),
      );
      expect(created.action).toBe('created');
      const updated = structured<{ media_id: string; action: string }>(
        await call(client, 'push_draft', { path: 'cancel/post.md' }),
      );
      expect(updated).toEqual(expect.objectContaining({ media_id: created.media_id, action: 'updated' }));
      expect(sandbox.stats().drafts).toBe(drafts + 1);
      expect(JSON.parse(await readFile(stateFile, 'utf8'))).toBeTypeOf('object');
    },
  );

  it.runIf(requireCorpus())('push_draft takes a corpus photo over 1 MB as cover and body image', async () => {
    const dir = path.join(root, 'corpus');
    await mkdir(path.join(dir, 'images'), { recursive: true });
    await cp(corpusPath('images/photos/mate-dune-1021283-bytes.jpg'), path.join(dir, 'images/dune.jpg'));
    await writeFile(path.join(dir, 'dune.md'), '# 沙丘\n\n![沙丘](images/dune.jpg)\n');
    const result = structured<{ action: string; images: { uploaded: number; bytesSaved: number } }>(
      await call(client, 'push_draft', { path: 'corpus/dune.md' }),
    );
    expect(result.action).toBe('created');
    expect(result.images.uploaded).toBe(1);
    expect(result.images.bytesSaved).toBeGreaterThan(0);
  });
});

describe('tool errors', () => {
  it('a WeChat error keeps errcode and errmsg, and never shows the AppSecret', async () => {
    const wrong = 'not-the-secret-0123456789abcdef';
    const client = await connect({ ...sandboxEnv(), WECHAT_APP_SECRET: wrong });
    try {
      const result = await call(client, 'push_draft', { path: 'hello/post.md' });
      expect(result.isError).toBe(true);
      const all = text(result);
      expect(all).toMatch(/errcode 40001|errcode 40125/);
      const details = JSON.parse((result.content[1] as { text: string }).text) as {
        error: { errcode: number; errmsg: string; rid?: string };
      };
      expect([40001, 40125]).toContain(details.error.errcode);
      expect(details.error.errmsg).toMatch(/rid: /);
      expect(details.error.rid).toMatch(/^[0-9a-f]+-[0-9a-f]+-[0-9a-f]+$/);
      expect(all).toContain(`rid: ${details.error.rid}`);
      expect(all).not.toContain(wrong);
      expect(all).not.toContain(wrong.slice(0, 10));
    } finally {
      await client.close();
    }
  });

  it('push_draft without credentials says which variables to set', async () => {
    const client = await connect({});
    try {
      const result = await call(client, 'push_draft', { path: 'hello/post.md' });
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(/WECHAT_APP_ID/);
    } finally {
      await client.close();
    }
  });
});

describe('md2wx-mcp over stdio (the built bin)', () => {
  it('starts, lists the tools and lints a post', async () => {
    const bin = path.join(repoRoot, 'packages/mcp/dist/bin.js');
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [bin, '--root', root],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir() },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'md2wx-mcp-stdio-test', version: '0.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual([...TOOL_NAMES]);
      const result = structured<{ must: number; diagnostics: unknown[] }>(
        await call(client, 'lint_post', { path: 'hello/post.md' }),
      );
      expect(result.must).toBe(0);
    } finally {
      await client.close();
    }
  });
});
