import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WechatCrypto from 'wechat-crypto';
import {
  isUploadMediaJobFinish,
  parseCallbackMessage,
  parseCallbackXml,
  parseUploadMediaJobFinish,
  type UploadMediaJobFinishEvent,
  WXBizMsgCrypt,
  WXBizMsgCryptError,
} from '../src/crypto/index.js';

// A WeCom app's callback URL served over real HTTP with WXBizMsgCrypt, driven by a "WeCom" built on the npm
// package wechat-crypto (independent implementation) —
// https://developer.work.weixin.qq.com/document/path/96219 (the event) and
// https://developer.work.weixin.qq.com/document/path/91144 (the crypto).

const TOKEN = 'QDG6eK';
const KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const CORP_ID = 'wx5823bf96d3bd56c7';

const wecom = new WechatCrypto(TOKEN, KEY, CORP_ID);
const received: UploadMediaJobFinishEvent[] = [];
let server: Server;
let base: string;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The app's handler: what a user of @md2wx/wechat writes. */
async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const crypt = new WXBizMsgCrypt({ token: TOKEN, encodingAESKey: KEY, receiveId: CORP_ID });
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const msg_signature = query.get('msg_signature') ?? '';
  const timestamp = query.get('timestamp') ?? '';
  const nonce = query.get('nonce') ?? '';
  try {
    if (req.method === 'GET') {
      const plain = crypt.verifyUrl(msg_signature, timestamp, nonce, query.get('echostr') ?? '');
      res.writeHead(200, { 'content-type': 'text/plain' }).end(plain);
      return;
    }
    const decrypted = crypt.decryptMessage({ msg_signature, timestamp, nonce, body: await readBody(req) });
    const message = parseCallbackMessage(decrypted.message);
    if (isUploadMediaJobFinish(message)) {
      received.push(parseUploadMediaJobFinish(message.fields));
      res.writeHead(200).end('success');
      return;
    }
    const reply = `<xml><ToUserName><![CDATA[${message.fromUserName}]]></ToUserName><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[echo]]></Content></xml>`;
    const format = decrypted.format;
    res
      .writeHead(200, { 'content-type': format === 'json' ? 'application/json' : 'application/xml' })
      .end(crypt.encryptReply(reply, { timestamp, nonce, format }));
  } catch (error) {
    const code = error instanceof WXBizMsgCryptError ? error.code : 0;
    res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ code }));
  }
}

beforeAll(async () => {
  server = createServer((req, res) => void handle(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/wecom/callback`;
});

afterAll(async () => {
  server.close();
  await once(server, 'close');
});

function signedQuery(encrypt: string, extra: Record<string, string> = {}): string {
  const timestamp = '1409659813';
  const nonce = '1372623149';
  const params = new URLSearchParams({
    msg_signature: wecom.getSignature(timestamp, nonce, encrypt),
    timestamp,
    nonce,
    ...extra,
  });
  return params.toString();
}

describe('callback URL over HTTP (WeCom simulated with wechat-crypto)', () => {
  it('URL verification answers the bare plaintext echostr (no quotes, BOM or newline)', async () => {
    const echostr = wecom.encrypt('1616140317555161061');
    const res = await fetch(`${base}?${signedQuery(echostr, { echostr })}`);
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.toString('utf8')).toBe('1616140317555161061');
  });

  it('URL verification with an echostr whose "+" was left unescaped in the query still verifies, even a leading "+"', async () => {
    // Pinned random prefixes (not CSPRNG output) make the ciphertext the same on every run; the first one whose
    // base64 starts with '+' exercises the case that once failed at random: URLSearchParams turns that '+' into
    // a leading space, which a trim() before restoring spaces used to eat.
    const crypt = new WXBizMsgCrypt({ token: TOKEN, encodingAESKey: KEY, receiveId: CORP_ID });
    let echostr = '';
    for (let i = 0; !echostr.startsWith('+') && i < 10_000; i++) {
      const random = Buffer.alloc(16);
      random.writeUInt32BE(i);
      echostr = crypt.encrypt('1616140317555161061', { random }).encrypt;
    }
    expect(echostr).toMatch(/^\+/);
    // The independent implementation reads the same message from it.
    expect(wecom.decrypt(echostr).message).toBe('1616140317555161061');
    const query = signedQuery(echostr).concat(`&echostr=${echostr}`); // raw '+': URLSearchParams reads a space
    const res = await fetch(`${base}?${query}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('1616140317555161061');
  });

  it('URL verification with a forged signature is refused with -40001', async () => {
    const echostr = wecom.encrypt('1616140317555161061');
    const query = signedQuery(echostr, { echostr }).replace(/msg_signature=[0-9a-f]/, 'msg_signature=z');
    const res = await fetch(`${base}?${query}`);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ code: -40001 });
  });

  it('the encrypted upload_media_job_finish event POSTed as XML is decrypted and parsed (C1)', async () => {
    received.length = 0;
    const event = `<xml><ToUserName><![CDATA[${CORP_ID}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1425284517</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[upload_media_job_finish]]></Event><JobId><![CDATA[jobid_S0MrnndvRG5fadSlLwiBqiDDbM143UqTmKP3152FZk4]]></JobId></xml>`;
    const encrypt = wecom.encrypt(event);
    const res = await fetch(`${base}?${signedQuery(encrypt)}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: `<xml><ToUserName><![CDATA[${CORP_ID}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`,
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('success');
    expect(received).toEqual([
      {
        toUserName: CORP_ID,
        fromUserName: 'sys',
        createTime: 1425284517,
        msgType: 'event',
        event: 'upload_media_job_finish',
        jobId: 'jobid_S0MrnndvRG5fadSlLwiBqiDDbM143UqTmKP3152FZk4',
      },
    ]);
  });

  it('a message POSTed in JSON mode gets an encrypted JSON reply that WeCom can verify and decrypt', async () => {
    const encrypt = wecom.encrypt(
      JSON.stringify({
        ToUserName: CORP_ID,
        FromUserName: 'zhangsan',
        CreateTime: 1409659813,
        MsgType: 'text',
        Content: 'hi',
      }),
    );
    const res = await fetch(`${base}?${signedQuery(encrypt)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tousername: CORP_ID, encrypt, agentid: '1000002' }),
    });
    expect(res.headers.get('content-type')).toBe('application/json');
    const reply = (await res.json()) as {
      encrypt: string;
      msgsignature: string;
      timestamp: string;
      nonce: string;
    };
    expect(reply.timestamp).toBe('1409659813');
    expect(reply.nonce).toBe('1372623149');
    expect(wecom.getSignature(reply.timestamp, reply.nonce, reply.encrypt)).toBe(reply.msgsignature);
    const decrypted = wecom.decrypt(reply.encrypt);
    expect(decrypted.id).toBe(CORP_ID);
    expect(parseCallbackXml(decrypted.message)).toMatchObject({ ToUserName: 'zhangsan', Content: 'echo' });
  });

  it('a POST whose body was swapped after signing is refused with -40001', async () => {
    const signedFor = wecom.encrypt('<xml><MsgType>text</MsgType></xml>');
    const swapped = wecom.encrypt('<xml><MsgType>event</MsgType></xml>');
    const res = await fetch(`${base}?${signedQuery(signedFor)}`, {
      method: 'POST',
      body: `<xml><Encrypt><![CDATA[${swapped}]]></Encrypt></xml>`,
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ code: -40001 });
  });

  it('a POST for another corp (right token, right key) is refused with -40005', async () => {
    const other = new WechatCrypto(TOKEN, KEY, 'wwOtherCorp0000001');
    const encrypt = other.encrypt('<xml><MsgType>text</MsgType></xml>');
    const res = await fetch(`${base}?${signedQuery(encrypt)}`, {
      method: 'POST',
      body: `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
    });
    expect(await res.json()).toEqual({ code: -40005 });
  });
});
