import { describe, expect, it } from 'vitest';
import {
  CallbackEventError,
  getCallbackField,
  isUploadMediaJobFinish,
  parseCallbackBody,
  parseCallbackMessage,
  parseCallbackXml,
  parseUploadMediaJobFinish,
  WXBizMsgCryptError,
} from '../src/crypto/index.js';

// https://developer.work.weixin.qq.com/document/path/96219 (WxJava
// WxCpXmlMessageTest.testUploadMediaJobFinishEvent), verbatim layout.
const JOB_FINISH_XML = `<xml>
  <ToUserName><![CDATA[wx28dbb14e3720FAKE]]></ToUserName>
  <FromUserName><![CDATA[sys]]></FromUserName>
  <CreateTime>1425284517</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[upload_media_job_finish]]></Event>
  <JobId><![CDATA[jobid_S0MrnndvRG5fadSlLwiBqiDDbM143UqTmKP3152FZk4]]></JobId>
</xml>`;

const EXPECTED_EVENT = {
  toUserName: 'wx28dbb14e3720FAKE',
  fromUserName: 'sys',
  createTime: 1425284517,
  msgType: 'event',
  event: 'upload_media_job_finish',
  jobId: 'jobid_S0MrnndvRG5fadSlLwiBqiDDbM143UqTmKP3152FZk4',
};

function expectEventError(fn: () => unknown, field: string): CallbackEventError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CallbackEventError);
    expect((error as CallbackEventError).field).toBe(field);
    return error as CallbackEventError;
  }
  throw new Error(`expected CallbackEventError on ${field}`);
}

describe('upload_media_job_finish (WeCom async upload event)', () => {
  it('parses the documented XML', () => {
    expect(parseUploadMediaJobFinish(JOB_FINISH_XML)).toEqual(EXPECTED_EVENT);
  });

  it('parses the same event from a Buffer and with AgentID present', () => {
    const xml = JOB_FINISH_XML.replace('</xml>', '<AgentID>1000002</AgentID></xml>');
    expect(parseUploadMediaJobFinish(Buffer.from(xml))).toEqual({ ...EXPECTED_EVENT, agentId: '1000002' });
  });

  it('parses the JSON form, PascalCase or lower-case keys, numeric CreateTime', () => {
    const pascal = JSON.stringify({
      ToUserName: 'wx28dbb14e3720FAKE',
      FromUserName: 'sys',
      CreateTime: 1425284517,
      MsgType: 'event',
      Event: 'upload_media_job_finish',
      JobId: EXPECTED_EVENT.jobId,
    });
    expect(parseUploadMediaJobFinish(pascal)).toEqual(EXPECTED_EVENT);
    const lower = JSON.stringify({
      tousername: 'wx28dbb14e3720FAKE',
      fromusername: 'sys',
      createtime: '1425284517',
      msgtype: 'event',
      event: 'upload_media_job_finish',
      jobid: EXPECTED_EVENT.jobId,
    });
    expect(parseUploadMediaJobFinish(lower)).toEqual(EXPECTED_EVENT);
  });

  it('accepts already-parsed fields', () => {
    expect(parseUploadMediaJobFinish(parseCallbackXml(JOB_FINISH_XML))).toEqual(EXPECTED_EVENT);
  });

  it('refuses other messages and events, naming the field', () => {
    expectEventError(() => parseUploadMediaJobFinish(JOB_FINISH_XML.replace('[event]', '[text]')), 'MsgType');
    expectEventError(
      () => parseUploadMediaJobFinish(JOB_FINISH_XML.replace('upload_media_job_finish', 'change_contact')),
      'Event',
    );
    expectEventError(
      () => parseUploadMediaJobFinish('<xml><Event>upload_media_job_finish</Event></xml>'),
      'MsgType',
    );
  });

  it('refuses an event without JobId, ToUserName, FromUserName or CreateTime, or with a malformed CreateTime', () => {
    const drop = (tag: string) => JOB_FINISH_XML.replace(new RegExp(`<${tag}>.*</${tag}>`), '');
    expectEventError(() => parseUploadMediaJobFinish(drop('JobId')), 'JobId');
    expectEventError(
      () => parseUploadMediaJobFinish(JOB_FINISH_XML.replace(/<JobId>.*<\/JobId>/, '<JobId> </JobId>')),
      'JobId',
    );
    expectEventError(() => parseUploadMediaJobFinish(drop('ToUserName')), 'ToUserName');
    expectEventError(() => parseUploadMediaJobFinish(drop('FromUserName')), 'FromUserName');
    expectEventError(() => parseUploadMediaJobFinish(drop('CreateTime')), 'CreateTime');
    expectEventError(
      () => parseUploadMediaJobFinish(JOB_FINISH_XML.replace('1425284517', '2015-03-02T08:21:57Z')),
      'CreateTime',
    );
  });

  it('isUploadMediaJobFinish routes events without throwing', () => {
    expect(isUploadMediaJobFinish(parseCallbackMessage(JOB_FINISH_XML))).toBe(true);
    expect(isUploadMediaJobFinish(parseCallbackMessage(JOB_FINISH_XML.replace('[event]', '[text]')))).toBe(
      false,
    );
  });
});

describe('generic callback parsing', () => {
  it('reads the common header of a text message and keeps every field as a string', () => {
    const xml = `<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]></FromUserName>
<CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[ 0123 ]]></Content>
<MsgId>1234567890123456789</MsgId><AgentID>1</AgentID></xml>`;
    const message = parseCallbackMessage(xml);
    expect(message).toMatchObject({
      toUserName: 'toUser',
      fromUserName: 'fromUser',
      createTime: 1348831860,
      msgType: 'text',
      agentId: '1',
    });
    expect(message.event).toBeUndefined();
    // A 19-digit MsgId would lose precision as a number; CDATA keeps its spaces and leading zero.
    expect(message.fields.MsgId).toBe('1234567890123456789');
    expect(message.fields.Content).toBe(' 0123 ');
  });

  it('keeps nested and repeated elements, decodes entities, and treats empty elements as ""', () => {
    const fields = parseCallbackXml(
      '<xml><SendPicsInfo><Count>2</Count><PicList><item><PicMd5Sum>a</PicMd5Sum></item><item><PicMd5Sum>b</PicMd5Sum></item></PicList></SendPicsInfo><Title>a &amp; b &lt;c&gt;</Title><Empty/></xml>',
    );
    expect(fields).toEqual({
      SendPicsInfo: { Count: '2', PicList: { item: [{ PicMd5Sum: 'a' }, { PicMd5Sum: 'b' }] } },
      Title: 'a & b <c>',
      Empty: '',
    });
  });

  it('tolerates an XML declaration and a UTF-8 BOM', () => {
    expect(parseCallbackXml('\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<xml><A>1</A></xml>')).toEqual({
      A: '1',
    });
    expect(parseCallbackXml('<xml></xml>')).toEqual({});
  });

  it('refuses DOCTYPE/ENTITY declarations (XXE, entity expansion) with -40002', () => {
    const bomb =
      '<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><xml><A>&b;</A></xml>';
    expect(() => parseCallbackXml(bomb)).toThrow(WXBizMsgCryptError);
    const xxe = '<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><A>&x;</A></xml>';
    expect(() => parseCallbackXml(xxe)).toThrow(/DOCTYPE/);
  });

  it('reports where malformed XML breaks (line and column) with -40002', () => {
    try {
      parseCallbackXml('<xml>\n<A>1</A>\n<B>2</C>\n</xml>');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(WXBizMsgCryptError);
      expect((error as WXBizMsgCryptError).code).toBe(-40002);
      expect((error as Error).message).toMatch(/line 3, column \d+/);
    }
  });

  it('requires the <xml> root', () => {
    expect(() => parseCallbackXml('<root><A>1</A></root>')).toThrow(/<xml> root/);
    expect(() => parseCallbackXml('<xml>text only</xml>')).toThrow(/text/);
  });

  it('__proto__ never pollutes prototypes: refused in XML (-40002), plain data in JSON', () => {
    try {
      parseCallbackXml('<xml><__proto__><polluted>yes</polluted></__proto__></xml>');
      expect.unreachable();
    } catch (error) {
      expect((error as WXBizMsgCryptError).code).toBe(-40002);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const json = parseCallbackBody('{"__proto__":{"polluted":"yes"},"encrypt":"x"}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(json.format).toBe('json');
    expect(getCallbackField(json.fields, 'Encrypt')).toBe('x');
    expect(getCallbackField(json.fields, '__proto__')).toEqual({ polluted: 'yes' });
  });

  it('getCallbackField matches names ignoring case and underscores', () => {
    const fields = { to_user_name: 'a', AGENTID: '5' };
    expect(getCallbackField(fields, 'ToUserName')).toBe('a');
    expect(getCallbackField(fields, 'AgentID')).toBe('5');
    expect(getCallbackField(fields, 'JobId')).toBeUndefined();
  });
});
