import { describe, expect, it } from 'vitest';
import {
  CliError,
  ConfigError,
  ContentError,
  contentMessage,
  ExitCode,
  exitCodeOf,
  formatLocation,
  isWechatError,
  problemJson,
  problemsJson,
  UsageError,
} from '../src/errors.js';

function named(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(name), { name, ...extra });
}

describe('exit codes', () => {
  it('maps each kind of failure to its documented code', () => {
    expect(
      exitCodeOf(new ContentError([contentMessage('bad', { file: 'a.md', line: 3, ruleId: 'x' })])),
    ).toBe(1);
    expect(exitCodeOf(new UsageError('x'))).toBe(2);
    expect(exitCodeOf(new ConfigError('x'))).toBe(4);
    expect(exitCodeOf(named('WechatApiError', { errcode: 40001, errmsg: 'invalid credential' }))).toBe(3);
    expect(exitCodeOf(named('WechatNetworkError'))).toBe(3);
    expect(exitCodeOf(named('WechatPublishError'))).toBe(3);
    expect(exitCodeOf(named('WechatTimeoutError'))).toBe(3);
    expect(exitCodeOf(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(3);
    expect(exitCodeOf(Object.assign(new Error('x'), { code: 'commander.unknownOption' }))).toBe(2);
    expect(exitCodeOf(named('ImageError', { code: 'corrupt' }))).toBe(1);
    expect(exitCodeOf(named('WechatInputError', { code: 'field-too-long' }))).toBe(1);
    expect(exitCodeOf(new CliError('x', ExitCode.wechat))).toBe(3);
    // The token service refusing this client (secret, IP, account) is its setup; a 502 is WeChat's verdict.
    expect(exitCodeOf(named('TokenProviderError', { status: 401 }))).toBe(4);
    expect(exitCodeOf(named('TokenProviderError', { status: 403 }))).toBe(4);
    expect(exitCodeOf(named('TokenProviderError', { status: 502, errcode: 40164 }))).toBe(3);
    expect(exitCodeOf(named('TokenProviderError'))).toBe(3);
    expect(exitCodeOf(named('RedisStoreError', { code: 'connection' }))).toBe(4);
  });

  it('recognises WeChat errors by shape', () => {
    expect(
      isWechatError(named('WechatApiError', { errcode: 45009, errmsg: 'reach max api daily quota limit' })),
    ).toBe(true);
    expect(isWechatError(new Error('x'))).toBe(false);
    expect(isWechatError({ errcode: 1, errmsg: 'not an Error' })).toBe(false);
  });

  it('formats locations and lists every problem of a ContentError', () => {
    expect(formatLocation({ file: 'a.md' })).toBe('a.md');
    expect(formatLocation({ file: 'a.md', line: 4 })).toBe('a.md:4');
    expect(formatLocation({ file: 'a.md', line: 4, column: 2 })).toBe('a.md:4:2');
    const error = new ContentError([
      contentMessage('one', { file: 'a.md', line: 1, ruleId: 'wechat/field-limit' }),
      contentMessage('two', { file: 'b.md', ruleId: 'wechat/field-limit' }),
    ]);
    expect(error.message).toBe('a.md:1: one\nb.md: two');
    expect(error.messages).toHaveLength(2);
  });

  it('makes content problems vfile messages, and prints them in the --json shape', () => {
    const image = contentMessage('image x.png: not found', {
      file: 'post.md',
      line: 7,
      column: 3,
      image: 'x.png',
      ruleId: 'wechat/image',
    });
    expect(image).toMatchObject({
      reason: 'image x.png: not found',
      file: 'post.md',
      line: 7,
      column: 3,
      place: { line: 7, column: 3 },
      ruleId: 'wechat/image',
      source: 'md2wx',
      fatal: true,
      actual: 'x.png',
    });
    expect(problemJson(image)).toEqual({
      file: 'post.md',
      line: 7,
      column: 3,
      message: 'image x.png: not found',
      image: 'x.png',
    });
    // A problem that only knows its line has no column; a fallback is a warning.
    const fallback = contentMessage('left out', {
      file: 'post.md',
      line: 2,
      ruleId: 'wechat/field-fallback',
      fatal: false,
    });
    expect(fallback.fatal).toBe(false);
    expect(problemJson(fallback)).toEqual({ file: 'post.md', line: 2, message: 'left out' });
    expect(problemJson(contentMessage('no cover', { file: 'a.md', ruleId: 'x' }))).toEqual({
      file: 'a.md',
      message: 'no cover',
    });
    // An error's problems: a ContentError's messages converted, other entries kept, none when none listed.
    expect(problemsJson(new ContentError([image]))).toEqual([problemJson(image)]);
    const plain = { file: 'b.md', message: 'as is' };
    expect(problemsJson(Object.assign(new Error('x'), { problems: [image, plain] }))).toEqual([
      problemJson(image),
      plain,
    ]);
    expect(problemsJson(new Error('x'))).toBeUndefined();
  });
});
