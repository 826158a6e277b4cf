import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT, type SandboxServer, startSandbox, wxDecrypt, wxSignature } from '../src/index.js';
import { oaToken, png, postJson, upload } from './helpers.js';

let sb: SandboxServer | undefined;
let receiver: Server | undefined;
afterEach(async () => {
  await sb?.close();
  if (receiver) await new Promise((r) => receiver?.close(r));
  sb = undefined;
  receiver = undefined;
});

type Push = { query: URLSearchParams; body: string };

async function listen(): Promise<{ url: string; pushes: Push[] }> {
  const pushes: Push[] = [];
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      pushes.push({ query: new URL(req.url ?? '/', 'http://x').searchParams, body });
      res.end('success');
    });
  });
  await new Promise<void>((r) => receiver?.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/wx`, pushes };
}

async function publish(s: SandboxServer): Promise<number> {
  const token = await oaToken(s.url);
  const api = (p: string) => `${s.url}/cgi-bin/${p}?access_token=${token}`;
  const cover = await upload(`${api('material/add_material')}&type=image`, {
    data: png(),
    filename: 'c.png',
  });
  const draft = await postJson(api('draft/add'), {
    articles: [{ title: 'T', content: '<p>x</p>', thumb_media_id: cover.body.media_id }],
  });
  const sub = await postJson(api('freepublish/submit'), { media_id: draft.media_id });
  return Number(sub.publish_id);
}

async function until(pushes: Push[]): Promise<Push> {
  for (let i = 0; i < 500 && pushes.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  const push = pushes[0];
  if (!push) throw new Error('no push arrived');
  return push;
}

describe('PUBLISHJOBFINISH push', () => {
  it('plaintext mode: signed with sha1(sort(token, timestamp, nonce)), without anyone polling', async () => {
    const { url, pushes } = await listen();
    sb = await startSandbox({
      publishDelayMs: 20,
      accounts: [{ ...DEFAULT_ACCOUNT, callback: { url, token: 'tok' } }],
    });
    const publishId = await publish(sb);
    const push = await until(pushes);
    const q = push.query;
    const expected = createHash('sha1')
      .update(['tok', q.get('timestamp') ?? '', q.get('nonce') ?? ''].sort().join(''))
      .digest('hex');
    expect(q.get('signature')).toBe(expected);
    expect(push.body).toContain('<Event><![CDATA[PUBLISHJOBFINISH]]></Event>');
    expect(push.body).toContain(`<publish_id>${publishId}</publish_id>`);
    expect(push.body).toContain('<publish_status>0</publish_status>');
    expect(push.body).toMatch(/<article_detail><count>1<\/count><item><idx>1<\/idx>/);
    // The receiver has the body before the sandbox has read its answer: wait for the sandbox's record.
    const server = sb;
    await expect.poll(() => server.inspect().callbacks.length, { timeout: 5000 }).toBe(1);
    expect(sb.inspect().callbacks).toEqual([
      { url, event: 'PUBLISHJOBFINISH', id: String(publishId), status: 200 },
    ]);
  });

  it('安全模式: encrypted for the appId, with msg_signature; failures carry fail_idx', async () => {
    const { url, pushes } = await listen();
    const key = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR';
    sb = await startSandbox({
      publishDelayMs: 20,
      accounts: [{ ...DEFAULT_ACCOUNT, callback: { url, token: 'tok', encodingAESKey: key } }],
      faults: { publishFailure: { status: 4, failIdx: [1] } },
    });
    await publish(sb);
    const push = await until(pushes);
    const q = push.query;
    expect(q.get('encrypt_type')).toBe('aes');
    const encrypt = /<Encrypt><!\[CDATA\[([^\]]+)\]\]><\/Encrypt>/.exec(push.body)?.[1] ?? '';
    expect(q.get('msg_signature')).toBe(
      wxSignature('tok', q.get('timestamp') ?? '', q.get('nonce') ?? '', encrypt),
    );
    const xml = wxDecrypt(encrypt, key, DEFAULT_ACCOUNT.appId);
    expect(xml).toContain('<publish_status>4</publish_status><fail_idx>1</fail_idx>');
  });
});
