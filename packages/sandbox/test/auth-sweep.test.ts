/** Every authenticated endpoint, OA and WeCom, refuses a missing (41001) or wrong (40014) access_token and a wrong HTTP method. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxServer, startSandbox } from '../src/index.js';
import type { Json } from './helpers.js';

const OA: [string, 'GET' | 'POST'][] = [
  ['media/uploadimg', 'POST'],
  ['media/upload', 'POST'],
  ['media/get', 'GET'],
  ['media/get/jssdk', 'GET'],
  ['material/add_material', 'POST'],
  ['material/get_material', 'POST'],
  ['material/del_material', 'POST'],
  ['material/batchget_material', 'POST'],
  ['material/get_materialcount', 'GET'],
  ['material/add_news', 'POST'],
  ['material/update_news', 'POST'],
  ['draft/add', 'POST'],
  ['draft/update', 'POST'],
  ['draft/get', 'POST'],
  ['draft/delete', 'POST'],
  ['draft/batchget', 'POST'],
  ['draft/count', 'GET'],
  ['freepublish/submit', 'POST'],
  ['freepublish/get', 'POST'],
  ['freepublish/batchget', 'POST'],
  ['freepublish/getarticle', 'POST'],
  ['freepublish/delete', 'POST'],
  ['ticket/getticket', 'GET'],
  ['openapi/quota/get', 'POST'],
  ['clear_quota', 'POST'],
];
const WECOM: [string, 'GET' | 'POST'][] = [
  ['media/upload', 'POST'],
  ['media/uploadimg', 'POST'],
  ['media/get', 'GET'],
  ['media/get/jssdk', 'GET'],
  ['media/upload_by_url', 'POST'],
  ['media/get_upload_by_url_result', 'POST'],
  ['message/send', 'POST'],
  ['get_jsapi_ticket', 'GET'],
];

describe('access_token and method checks on every endpoint', () => {
  let sb: SandboxServer;
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(async () => {
    await sb.close();
  });

  const call = async (url: string, method: string): Promise<Json> => {
    const res = await fetch(url, { method, ...(method === 'POST' ? { body: '{}' } : {}) });
    expect(res.status).toBe(200);
    return JSON.parse(await res.text()) as Json;
  };

  it.each([...OA.map(([p, m]) => ['oa', p, m] as const), ...WECOM.map(([p, m]) => ['wecom', p, m] as const)])(
    '%s %s',
    async (platform, path, method) => {
      const base = `${platform === 'oa' ? sb.url : sb.wecomUrl}/cgi-bin/${path}`;
      expect((await call(base, method)).errcode).toBe(41001);
      expect((await call(`${base}?access_token=not-a-token`, method)).errcode).toBe(40014);
      const wrong = method === 'GET' ? 'POST' : 'GET';
      expect((await call(`${base}?access_token=not-a-token`, wrong)).errcode).toBe(
        method === 'GET' ? 43001 : 43002,
      );
    },
  );
});
