/**
 * Our bodies must have the keys and JSON types of the real WeChat bodies kept as wechatpy fixtures
 * (corpus/peer/wechatpy/tests/fixtures). The only extra keys allowed are errcode/errmsg, which the
 * official docs show on some success bodies that the fixtures omit.
 */
import { readFileSync } from 'node:fs';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxServer, startSandbox } from '../src/index.js';
import { getJson, oaToken, png, upload, wecomToken } from './helpers.js';

type Shape = Record<string, string>;

function shapeOf(body: Record<string, unknown>): Shape {
  const out: Shape = {};
  for (const [k, v] of Object.entries(body))
    out[k] = Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
  return out;
}

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(corpusPath(`peer/wechatpy/tests/fixtures/${name}`), 'utf8')) as Record<
    string,
    unknown
  >;
}

function expectSameShape(ours: Record<string, unknown>, theirs: Record<string, unknown>): void {
  const a = shapeOf(ours);
  const b = shapeOf(theirs);
  for (const key of Object.keys(a)) if (!(key in b)) expect(['errcode', 'errmsg']).toContain(key);
  const common = Object.fromEntries(Object.keys(b).map((k) => [k, a[k]]));
  expect(common).toEqual(b);
}

describe.skipIf(!requireCorpus())('response shapes match the wechatpy fixtures', () => {
  let sb: SandboxServer;
  let token: string;
  let wtoken: string;
  beforeAll(async () => {
    sb = await startSandbox();
    token = await oaToken(sb.url);
    wtoken = await wecomToken(sb.wecomUrl);
  });
  afterAll(async () => {
    await sb.close();
  });

  it('token.json', async () => {
    const body = await getJson(
      `${sb.url}/cgi-bin/token?grant_type=client_credential&appid=wx5a1dbox0000000001&secret=sandbox-app-secret-0000000000000001`,
    );
    expectSameShape(body, fixture('token.json'));
  });

  it('media_upload.json', async () => {
    const r = await upload(`${sb.url}/cgi-bin/media/upload?access_token=${token}&type=image`, {
      data: png(),
      filename: 'a.png',
    });
    expectSameShape(r.body, fixture('media_upload.json'));
  });

  it('media_uploadimg.json', async () => {
    const r = await upload(`${sb.url}/cgi-bin/media/uploadimg?access_token=${token}`, {
      data: png(),
      filename: 'a.png',
    });
    expectSameShape(r.body, fixture('media_uploadimg.json'));
  });

  it('material_get_materialcount.json', async () => {
    const body = await getJson(`${sb.url}/cgi-bin/material/get_materialcount?access_token=${token}`);
    expectSameShape(body, fixture('material_get_materialcount.json'));
  });

  it('ticket_getticket.json', async () => {
    const body = await getJson(`${sb.url}/cgi-bin/ticket/getticket?access_token=${token}&type=jsapi`);
    expectSameShape(body, fixture('ticket_getticket.json'));
  });

  it('work/gettoken.json', async () => {
    const body = await getJson(
      `${sb.wecomUrl}/cgi-bin/gettoken?corpid=ww5a1dbox00000001&corpsecret=sandbox-corp-secret-000000000000000000000001`,
    );
    expectSameShape(body, fixture('work/gettoken.json'));
  });

  it('work/media_upload.json', async () => {
    const r = await upload(`${sb.wecomUrl}/cgi-bin/media/upload?access_token=${wtoken}&type=image`, {
      data: png(),
      filename: 'a.png',
    });
    expectSameShape(r.body, fixture('work/media_upload.json'));
  });

  it('work/get_jsapi_ticket.json', async () => {
    const body = await getJson(`${sb.wecomUrl}/cgi-bin/get_jsapi_ticket?access_token=${wtoken}`);
    expectSameShape(body, fixture('work/get_jsapi_ticket.json'));
  });

  it('the shape check itself fails on a wrong type or a missing key', () => {
    expect(() => expectSameShape({ access_token: 'x', expires_in: '7200' }, fixture('token.json'))).toThrow();
    expect(() => expectSameShape({ access_token: 'x' }, fixture('token.json'))).toThrow();
  });
});
