import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DEFAULT_WECOM_APP,
  type Sandbox,
  startSandbox,
  wxDecrypt,
  wxEncrypt,
  wxSignature,
} from '@md2wx/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseCallbackXml,
  parseUploadMediaJobFinish,
  type UploadMediaJobFinishEvent,
  WXBizMsgCrypt,
} from '../src/crypto/index.js';

// End to end over HTTP against the sandbox (`@md2wx/sandbox`): a WeCom app with a callback URL submits
// media/upload_by_url (https://developer.work.weixin.qq.com/document/path/96219); the sandbox fetches the
// file by Range and POSTs the encrypted upload_media_job_finish event
// (https://developer.work.weixin.qq.com/document/path/96219) to our receiver, which verifies
// and decrypts it with WXBizMsgCrypt (https://developer.work.weixin.qq.com/document/path/91144) and then asks
// get_upload_by_url_result (https://developer.work.weixin.qq.com/document/path/96219) for the outcome.

const TOKEN = 'md2wxSandboxCb01';
const KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const crypt = new WXBizMsgCrypt({ token: TOKEN, encodingAESKey: KEY, receiveId: DEFAULT_WECOM_APP.corpId });

const FILE = randomBytes(64 * 1024);
const FILE_MD5 = createHash('md5').update(FILE).digest('hex');

let sandbox: Sandbox;
let receiver: Server;
let files: Server;
let filesBase: string;
const waiting = new Map<string, (event: UploadMediaJobFinishEvent) => void>();
const early = new Map<string, UploadMediaJobFinishEvent>();
const rejected: number[] = [];

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function onCallback(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
  try {
    const { message } = crypt.decryptMessage({
      msg_signature: query.get('msg_signature') ?? '',
      timestamp: query.get('timestamp') ?? '',
      nonce: query.get('nonce') ?? '',
      body: await readBody(req),
    });
    const event = parseUploadMediaJobFinish(message);
    res.writeHead(200).end('success');
    const resolve = waiting.get(event.jobId);
    if (resolve) resolve(event);
    else early.set(event.jobId, event);
  } catch (error) {
    rejected.push((error as { code?: number }).code ?? 0);
    res.writeHead(403).end();
  }
}

/**
 * A CDN stand-in: `/range/…` honours Range (206), `/plain/…` ignores it (200), as
 * https://developer.work.weixin.qq.com/document/path/96219 distinguishes.
 */
function onFile(req: IncomingMessage, res: ServerResponse): void {
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  if (req.url?.startsWith('/range/') && range) {
    const start = Number(range[1]);
    const end = Math.min(range[2] ? Number(range[2]) : FILE.length - 1, FILE.length - 1);
    res
      .writeHead(206, {
        'content-range': `bytes ${start}-${end}/${FILE.length}`,
        'content-length': end - start + 1,
      })
      .end(FILE.subarray(start, end + 1));
    return;
  }
  res.writeHead(200, { 'content-length': FILE.length }).end(FILE);
}

function waitForEvent(jobId: string): Promise<UploadMediaJobFinishEvent> {
  const got = early.get(jobId);
  if (got) return Promise.resolve(got);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no upload_media_job_finish for ${jobId} within 10 s`)),
      10_000,
    );
    waiting.set(jobId, (event) => {
      clearTimeout(timer);
      resolve(event);
    });
  });
}

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function wecom(path: string, body?: unknown): Promise<Record<string, unknown>> {
  const tokenRes = (await (
    await fetch(
      `${sandbox.wecomUrl}/cgi-bin/gettoken?corpid=${DEFAULT_WECOM_APP.corpId}&corpsecret=${DEFAULT_WECOM_APP.corpSecret}`,
    )
  ).json()) as { access_token: string };
  const res = await fetch(`${sandbox.wecomUrl}/cgi-bin/${path}?access_token=${tokenRes.access_token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
}

async function submitAndWait(url: string, md5: string) {
  const submitted = await wecom('media/upload_by_url', {
    scene: 1,
    type: 'file',
    filename: 'a.bin',
    url,
    md5,
  });
  expect(submitted.errcode).toBe(0);
  const jobid = submitted.jobid as string;
  const event = await waitForEvent(jobid);
  const result = await wecom('media/get_upload_by_url_result', { jobid });
  return { jobid, event, result };
}

beforeAll(async () => {
  receiver = createServer((req, res) => void onCallback(req, res));
  files = createServer(onFile);
  const receiverBase = await listen(receiver);
  filesBase = await listen(files);
  sandbox = await startSandbox({
    wecom: [
      {
        ...DEFAULT_WECOM_APP,
        callback: { url: `${receiverBase}/wecom/callback`, token: TOKEN, encodingAESKey: KEY },
      },
    ],
    uploadByUrlDelayMs: 20,
  });
});

afterAll(async () => {
  await sandbox?.close();
  for (const server of [receiver, files]) {
    if (server?.listening) {
      server.close();
      await once(server, 'close');
    }
  }
});

describe('sandbox pushes upload_media_job_finish to a WXBizMsgCrypt receiver', () => {
  it('C1: the event for a finished upload_by_url job verifies, decrypts and names the job; M6 gives the media_id', async () => {
    const { jobid, event, result } = await submitAndWait(`${filesBase}/range/a.bin`, FILE_MD5);
    expect(event).toMatchObject({
      toUserName: DEFAULT_WECOM_APP.corpId,
      fromUserName: 'sys',
      msgType: 'event',
      event: 'upload_media_job_finish',
      jobId: jobid,
    });
    expect(Math.abs(event.createTime - Date.now() / 1000)).toBeLessThan(60);
    expect(result).toMatchObject({ errcode: 0, status: 2 });
    expect((result.detail as Record<string, unknown>).media_id).toEqual(expect.any(String));
    expect(rejected).toEqual([]);
  });

  it('R12: a failed job (no Range → 830001, wrong md5 → 301019) sends the same event; only M6 reveals status 3', async () => {
    const noRange = await submitAndWait(`${filesBase}/plain/a.bin`, FILE_MD5);
    const badMd5 = await submitAndWait(`${filesBase}/range/a.bin`, '0'.repeat(32));
    for (const { jobid, event } of [noRange, badMd5]) {
      expect(event.jobId).toBe(jobid);
      expect(Object.keys(event).sort()).toEqual([
        'createTime',
        'event',
        'fromUserName',
        'jobId',
        'msgType',
        'toUserName',
      ]);
    }
    expect(noRange.result).toMatchObject({ status: 3, detail: { errcode: 830001 } });
    expect(badMd5.result).toMatchObject({ status: 3, detail: { errcode: 301019 } });
    expect(rejected).toEqual([]);
  });
});

describe('interop with the sandbox WXBizMsgCrypt implementation (a third, independent one)', () => {
  it('decrypts what the sandbox encrypts and the sandbox decrypts what we encrypt; signatures agree', () => {
    for (const message of ['', 'x', '中文 event', 'y'.repeat(1000)]) {
      const theirs = wxEncrypt(message, KEY, DEFAULT_WECOM_APP.corpId);
      expect(crypt.decrypt(theirs)).toEqual({ message, receiveId: DEFAULT_WECOM_APP.corpId });
      const ours = crypt.encrypt(message, { timestamp: 1700000000, nonce: '1234567890' });
      expect(wxDecrypt(ours.encrypt, KEY, DEFAULT_WECOM_APP.corpId)).toBe(message);
      expect(wxSignature(TOKEN, '1700000000', '1234567890', ours.encrypt)).toBe(ours.msg_signature);
    }
  });

  it('a reply built by encryptReply is accepted by the sandbox decoder', () => {
    const reply = parseCallbackXml(crypt.encryptReply('<xml><A>1</A></xml>', { timestamp: 1, nonce: 'n' }));
    expect(wxDecrypt(reply.Encrypt as string, KEY, DEFAULT_WECOM_APP.corpId)).toBe('<xml><A>1</A></xml>');
  });
});
