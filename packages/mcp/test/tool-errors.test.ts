import { describe, expect, it } from 'vitest';
import { secretsRedactor, toolError } from '../src/tool-errors.js';

const SECRET = 'f3c1e0a9b8d7c6e5f4a3b2c1d0e9f8a7';

describe('toolError', () => {
  it('keeps errcode, errmsg, rid and hint; scrubs the configured secret and access_token values', () => {
    const error = Object.assign(
      new Error(
        `cgi-bin/token?grant_type=client_credential&secret=${SECRET} failed; POST /cgi-bin/draft/add?access_token=ACCESS12345678 refused`,
      ),
      {
        name: 'WechatApiError',
        errcode: 40001,
        errmsg: `invalid credential, access_token is invalid or not latest, secret ${SECRET} rid: 6a1b-2c3d-4e5f`,
        rid: '6a1b-2c3d-4e5f',
        endpoint: 'cgi-bin/draft/add',
        hint: 'the AppSecret was reset: update WECHAT_APP_SECRET',
      },
    );
    const result = toolError(error, secretsRedactor([SECRET]));
    expect(result.isError).toBe(true);
    const all = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain(SECRET.slice(0, 12));
    expect(all).not.toContain('ACCESS12345678');
    const { error: details } = JSON.parse((result.content[1] as { text: string }).text);
    expect(details).toMatchObject({
      name: 'WechatApiError',
      errcode: 40001,
      rid: '6a1b-2c3d-4e5f',
      endpoint: 'cgi-bin/draft/add',
      hint: 'the AppSecret was reset: update WECHAT_APP_SECRET',
    });
    expect(details.errmsg).toMatch(/^invalid credential, .* rid: 6a1b-2c3d-4e5f$/);
    expect((result.content[0] as { text: string }).text).toBe(
      `WeChat cgi-bin/draft/add: errcode 40001 ${details.errmsg} — hint: the AppSecret was reset: update WECHAT_APP_SECRET`,
    );
  });

  it('keeps content problems with file, line and column', () => {
    const error = Object.assign(new Error('post.md:7:1: image not found: images/x.png'), {
      name: 'ContentError',
      problems: [{ file: 'post.md', line: 7, column: 1, message: 'image not found', image: 'images/x.png' }],
    });
    const { error: details } = JSON.parse(
      (toolError(error, secretsRedactor([])).content[1] as { text: string }).text,
    );
    expect(details.problems).toEqual([
      { file: 'post.md', line: 7, column: 1, message: 'image not found', image: 'images/x.png' },
    ]);
  });
});
