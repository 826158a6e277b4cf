import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatBytes, Reporter } from '../src/reporter.js';

function streams(tty = false) {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: tty });
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += d;
  });
  stderr.on('data', (d) => {
    err += d;
  });
  return { stdout, stderr, out: () => out, err: () => err };
}

describe('Reporter', () => {
  it('sends human lines to stderr and results to stdout', () => {
    const s = streams();
    const r = new Reporter({ stdout: s.stdout, stderr: s.stderr, env: {} });
    r.info('working');
    r.warn('careful');
    r.result('media_id X');
    expect(s.out()).toBe('media_id X\n');
    expect(s.err()).toBe('working\nwarning careful\n');
  });

  it('--json prints only the JSON document on stdout, nothing on stderr', () => {
    const s = streams();
    const r = new Reporter({ json: true, stdout: s.stdout, stderr: s.stderr, env: {} });
    r.info('x');
    r.error('y');
    r.result('z');
    r.emitJson({ ok: true });
    expect(JSON.parse(s.out())).toEqual({ ok: true });
    expect(s.err()).toBe('');
  });

  it('--quiet keeps errors and results only', () => {
    const s = streams();
    const r = new Reporter({ quiet: true, stdout: s.stdout, stderr: s.stderr, env: {} });
    r.info('x');
    r.success('y');
    r.error('bad');
    r.result('id');
    expect(s.err()).toBe('error bad\n');
    expect(s.out()).toBe('id\n');
  });

  it('colours only on a TTY, and never with NO_COLOR', () => {
    const tty = streams(true);
    new Reporter({ stdout: tty.stdout, stderr: tty.stderr, env: {} }).warn('w');
    expect(tty.err()).toContain('\u001b[');
    const noColor = streams(true);
    new Reporter({ stdout: noColor.stdout, stderr: noColor.stderr, env: { NO_COLOR: '1' } }).warn('w');
    expect(noColor.err()).toBe('warning w\n');
  });

  it('draws no bars in CI; a plain progress prints one summary line', async () => {
    const s = streams(true);
    const r = new Reporter({ stdout: s.stdout, stderr: s.stderr, env: { CI: 'true' } });
    expect(r.progressBars).toBe(false);
    const p = await r.progress('images', 2);
    p.increment();
    p.increment();
    p.note('10 KiB saved');
    p.stop();
    expect(s.err()).toBe('images: 2/2 10 KiB saved\n');
  });

  it('formats bytes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MiB');
  });
});
