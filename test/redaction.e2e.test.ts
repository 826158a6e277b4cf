/**
 * Issue 19 defect 4, CLI side: a WeChat-like server that echoes the access_token in its error bodies — raw,
 * URL-encoded, and cut at the 200-character message limit — must not get the token into `md2wx --json` output
 * or stderr.
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '@md2wx/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-runner.js';

const TOKEN = `${'Tk9_'.repeat(24)}+/q=${'Zz8-'.repeat(12)}end`;
type Mode = 'errmsg' | 'cut';
let mode: Mode = 'errmsg';
let server: Server;
let base: string;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'md2wx-redact-'));
  await copyFile(path.join(repoRoot, 'examples/hello/images/dusk.jpg'), path.join(work, 'dusk.jpg'));
  await writeFile(path.join(work, 'post.md'), '---\ntitle: Redaction\ncover: dusk.jpg\n---\n\nText.\n');
  server = createServer((req, res) => {
    req.resume();
    if (req.url?.startsWith('/cgi-bin/stable_token') || req.url?.startsWith('/cgi-bin/token')) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ access_token: TOKEN, expires_in: 7200 }));
      return;
    }
    if (mode === 'errmsg') {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          errcode: 45009,
          errmsg: `limit for ${TOKEN} (${encodeURIComponent(TOKEN)}) rid: 65a1-1b2c`,
        }),
      );
      return;
    }
    res.statusCode = 502;
    res.setHeader('content-type', 'text/html');
    res.end(`<html>${'.'.repeat(170)}${TOKEN}</html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(work, { recursive: true, force: true });
});

function leaks(text: string): string[] {
  const found = new Set<string>();
  for (const form of [TOKEN, encodeURIComponent(TOKEN)]) {
    for (let i = 0; i + 8 <= form.length; i++)
      if (text.includes(form.slice(i, i + 8))) found.add(form.slice(i, i + 8));
  }
  return [...found];
}

describe('md2wx --json never prints an access_token echoed by the server', () => {
  for (const m of ['errmsg', 'cut'] as const) {
    it(`error body echoing the token (${m})`, async () => {
      mode = m;
      const result = await runCli(['post.md', '--draft', '--json', '--base-url', base], {
        cwd: work,
        env: { WECHAT_APP_ID: 'wx0123456789abcdef', WECHAT_APP_SECRET: 's'.repeat(32) },
      });
      expect(result.code).not.toBe(0);
      const output = result.stdout + result.stderr;
      expect(output).toMatch(m === 'errmsg' ? /45009/ : /HTTP 502/);
      expect(leaks(output)).toEqual([]);
      expect(JSON.parse(result.stdout)).toBeTypeOf('object');
    });
  }
});
