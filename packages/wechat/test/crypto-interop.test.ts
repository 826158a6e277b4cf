import { describe, expect, it } from 'vitest';
import WechatCrypto from 'wechat-crypto';
import {
  parseCallbackXml,
  parseUploadMediaJobFinish,
  WXBizMsgCrypt,
  WXBizMsgCryptError,
} from '../src/crypto/index.js';

const TOKEN = 'md2wxCallbackToken01';
const KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const CORP_ID = 'ww5a1dbox00000001';

const ours = () => new WXBizMsgCrypt({ token: TOKEN, encodingAESKey: KEY, receiveId: CORP_ID });
const theirs = () => new WechatCrypto(TOKEN, KEY, CORP_ID);

const MESSAGES = [
  '',
  'x',
  '5927782489442352469',
  '<xml><Content><![CDATA[中文内容，含 emoji 😀 与全角标点。]]></Content></xml>',
  'a'.repeat(11), // 16+4+11+17 = 48: pads 16
  'a'.repeat(27), // 16+4+27+17 = 64: aligned, pads a full 32-byte block
  JSON.stringify({ ToUserName: CORP_ID, Event: 'upload_media_job_finish', JobId: 'jobid_1' }),
  '长'.repeat(4000),
];

describe('interop with the npm package wechat-crypto (node-webot)', () => {
  it('what wechat-crypto encrypts, WXBizMsgCrypt decrypts (all lengths 0..100 and the sample messages)', () => {
    const them = theirs();
    const us = ours();
    const messages = [...MESSAGES, ...Array.from({ length: 101 }, (_, n) => 'm'.repeat(n))];
    for (const message of messages) {
      const encrypted = them.encrypt(message);
      expect(us.decrypt(encrypted)).toEqual({ message, receiveId: CORP_ID });
    }
  });

  it('what WXBizMsgCrypt encrypts, wechat-crypto decrypts (all lengths 0..100 and the sample messages)', () => {
    const them = theirs();
    const us = ours();
    const messages = [...MESSAGES, ...Array.from({ length: 101 }, (_, n) => 'm'.repeat(n))];
    for (const message of messages) {
      const { encrypt } = us.encrypt(message);
      expect(them.decrypt(encrypt)).toEqual({ message, id: CORP_ID });
    }
  });

  it('both compute the same msg_signature', () => {
    const them = theirs();
    const us = ours();
    for (const [timestamp, nonce] of [
      ['1411443780', '437374425'],
      ['1700000000', 'abcDEF123'],
      ['9', '10'],
    ] as const) {
      const encrypt = them.encrypt(`${timestamp}-${nonce}`);
      expect(us.getSignature(timestamp, nonce, encrypt)).toBe(them.getSignature(timestamp, nonce, encrypt));
    }
  });

  it('a full callback built with wechat-crypto (envelope + msg_signature) passes decryptMessage', () => {
    const them = theirs();
    const event = `<xml><ToUserName><![CDATA[${CORP_ID}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1425284517</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[upload_media_job_finish]]></Event><JobId><![CDATA[jobid_S0MrnndvRG5fadSlLwiBqiDDbM143UqTmKP3152FZk4]]></JobId></xml>`;
    const encrypt = them.encrypt(event);
    const msg_signature = them.getSignature('1425284517', '1372623149', encrypt);
    const body = `<xml><ToUserName><![CDATA[${CORP_ID}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`;
    const out = ours().decryptMessage({ msg_signature, timestamp: '1425284517', nonce: '1372623149', body });
    expect(parseUploadMediaJobFinish(out.message).jobId).toBe(
      'jobid_S0MrnndvRG5fadSlLwiBqiDDbM143UqTmKP3152FZk4',
    );
    // AgentID is only in the unsigned envelope: not trusted. ToUserName is in the signed event too.
    expect(out.agentId).toBeUndefined();
    expect(out.toUserName).toBe(CORP_ID);
  });

  it('an encrypted reply from encryptReply verifies and decrypts with wechat-crypto', () => {
    const them = theirs();
    const reply = ours().encryptReply('<xml><MsgType><![CDATA[text]]></MsgType></xml>', {
      timestamp: 1425284517,
      nonce: '1372623149',
    });
    const fields = parseCallbackXml(reply);
    const encrypt = fields.Encrypt as string;
    expect(them.getSignature(fields.TimeStamp as string, fields.Nonce as string, encrypt)).toBe(
      fields.MsgSignature,
    );
    expect(them.decrypt(encrypt).message).toBe('<xml><MsgType><![CDATA[text]]></MsgType></xml>');
  });

  it('wechat-crypto output for another CorpID is refused with -40005 (it would accept it silently)', () => {
    const foreign = new WechatCrypto(TOKEN, KEY, 'ww0000000000000099').encrypt('hello');
    expect(theirs().decrypt(foreign).id).toBe('ww0000000000000099');
    expect(() => ours().decrypt(foreign)).toThrow(WXBizMsgCryptError);
    try {
      ours().decrypt(foreign);
    } catch (error) {
      expect((error as WXBizMsgCryptError).code).toBe(-40005);
    }
  });
});
