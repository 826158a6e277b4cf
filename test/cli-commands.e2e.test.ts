/**
 * End-to-end, issue 16: every seed system reachable from the command line, and every answer true. The md2wx CLI
 * runs as a subprocess against a sandbox started here (or its own `--sandbox-state`); files are the corpus's.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_ACCOUNT, DEFAULT_WECOM_APP, type SandboxServer, startSandbox } from '@md2wx/sandbox';
import { corpusPath, repoRoot, requireCorpus } from '@md2wx/testkit';
import {
  createOfficialAccountClient,
  createWecomClient,
  jssdkSignature,
  WechatInputError,
  WXBizMsgCrypt,
} from '@md2wx/wechat';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCommand, runCli, startCli } from './cli-runner.js';

let sandbox: SandboxServer;
/** Milliseconds added to the sandbox's clock (R7: temporary media expire after 3 days). */
let clockOffset = 0;
let work: string;
let files: Server;
let filesUrl = '';
const COVER = path.join(repoRoot, 'examples/hello/images/dusk.jpg');
const HELLO_DIR = path.join(repoRoot, 'examples/hello');
/** A 36 KB JPEG: cheap to compress, so the tests about counting calls spend their time on the calls. */
const SMALL = () => corpusPath('images/special/progressive-small-nikon.jpeg');

const oaEnv = (extra: Record<string, string> = {}) => ({
  WECHAT_APP_ID: DEFAULT_ACCOUNT.appId,
  WECHAT_APP_SECRET: DEFAULT_ACCOUNT.appSecret,
  WECHAT_BASE_URL: sandbox.url,
  ...extra,
});
const wecomEnv = (extra: Record<string, string> = {}) => ({
  WECOM_CORP_ID: DEFAULT_WECOM_APP.corpId,
  WECOM_CORP_SECRET: DEFAULT_WECOM_APP.corpSecret,
  WECOM_AGENT_ID: String(DEFAULT_WECOM_APP.agentId),
  WECOM_BASE_URL: sandbox.wecomUrl,
  ...extra,
});
const uploads = (name: string) => sandbox.stats().uploads[name] ?? 0;

/** A fresh directory per test: its own .md2wx state and cache. */
async function dir(name: string): Promise<string> {
  const d = path.join(work, name);
  await mkdir(d, { recursive: true });
  return d;
}

/** Files served over HTTP with Range support (WeCom upload_by_url, URL posts, a 404 image). */
const served = new Map<string, Buffer>();

beforeAll(async () => {
  // Upload-by-URL jobs stay "processing" long enough for --wait to show its progress.
  sandbox = await startSandbox({
    publishDelayMs: 50,
    uploadByUrlDelayMs: 1200,
    clock: () => Date.now() + clockOffset,
  });
  work = await mkdtemp(path.join(tmpdir(), 'md2wx-cmds-'));
  files = createServer((req, res) => {
    const body = served.get((req.url ?? '/').split('?')[0] as string);
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
      res.writeHead(206, {
        'content-range': `bytes ${start}-${end}/${body.length}`,
        'content-length': end - start + 1,
        'accept-ranges': 'bytes',
      });
      res.end(body.subarray(start, end + 1));
      return;
    }
    res.writeHead(200, { 'content-length': body.length, 'accept-ranges': 'bytes' }).end(body);
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await sandbox?.close();
  await new Promise<void>((resolve) => (files ? files.close(() => resolve()) : resolve()));
  if (work) await rm(work, { recursive: true, force: true });
});

describe('md2wx token and doctor check for real', () => {
  it('says where the token came from, and a wrong secret after a good run exits 3 with 40125 and its hint', async () => {
    const cwd = await dir('token');
    const first = await runCli(['token', '--json'], { cwd, env: oaEnv() });
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      ok: true,
      origin: 'wechat',
      source: 'cgi-bin/stable_token',
    });
    const second = await runCli(['token'], { cwd, env: oaEnv() });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/from the local cache/);
    // Same appId and store, another secret: the cached token is not reused for it.
    const wrong = await runCli(['token'], { cwd, env: oaEnv({ WECHAT_APP_SECRET: 'wrong-secret' }) });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/errcode 40125/);
    expect(wrong.stderr).toMatch(/hint: Invalid AppSecret/);
    // The rid WeChat puts in errmsg is printed once.
    expect(wrong.stderr.match(/rid/g)?.length).toBe(1);
    // Another host with the right secret: not the cached token either (a fresh stable_token call).
    const before = sandbox.stats().tokenRequests[DEFAULT_ACCOUNT.appId] ?? 0;
    const otherHost = await runCli(['token', '--json'], {
      cwd,
      env: oaEnv({ WECHAT_BASE_URL: sandbox.url.replace('127.0.0.1', 'localhost') }),
    });
    expect(otherHost.code, otherHost.stderr).toBe(0);
    expect(JSON.parse(otherHost.stdout).origin).toBe('wechat');
    expect(sandbox.stats().tokenRequests[DEFAULT_ACCOUNT.appId]).toBe(before + 1);
  });

  it('token --check and doctor fail on 40164 although the cached token is fine', async () => {
    const cwd = await dir('token-ip');
    expect((await runCli(['token'], { cwd, env: oaEnv() })).code).toBe(0);
    const okDoctor = await runCli(['doctor'], { cwd, env: oaEnv() });
    expect(okDoctor.code, okDoctor.stderr).toBe(0);
    expect(okDoctor.stderr).toMatch(/token: access_token \(cache\) accepted by a live getcallbackip call/);
    sandbox.setFaults({ ipWhitelist: { allowed: ['10.0.0.1'], appliesTo: 'all' } });
    try {
      const cached = await runCli(['token'], { cwd, env: oaEnv() });
      expect(cached.code).toBe(0);
      expect(cached.stderr).toMatch(/add --check/);
      const check = await runCli(['token', '--check'], { cwd, env: oaEnv() });
      expect(check.code).toBe(3);
      expect(check.stderr).toMatch(/errcode 40164/);
      expect(check.stderr).toMatch(/hint: .*127\.0\.0\.1/);
      const doctor = await runCli(['doctor'], { cwd, env: oaEnv() });
      expect(doctor.code).toBe(3);
      expect(doctor.stderr).toMatch(/✔ credentials/);
      expect(doctor.stderr).toMatch(/error token: errcode 40164[\s\S]*fix: .*127\.0\.0\.1/);
    } finally {
      sandbox.setFaults({ ipWhitelist: undefined });
    }
  });
});

describe('seed systems from the command line', () => {
  it.skipIf(!requireCorpus())(
    'upload goes through the dedupe cache: the same image twice is one uploadimg call; --force uploads again',
    async () => {
      const cwd = await dir('upload');
      const COVER = SMALL();
      const before = uploads('media/uploadimg');
      const first = await runCli(['upload', COVER, COVER], { cwd, env: oaEnv() });
      expect(first.code, first.stderr).toBe(0);
      const urls = first.stdout.trim().split('\n');
      expect(urls).toHaveLength(2);
      expect(urls[0]).toBe(urls[1]);
      expect(uploads('media/uploadimg')).toBe(before + 1);
      const again = await runCli(['upload', COVER, '--json'], { cwd, env: oaEnv() });
      expect(JSON.parse(again.stdout).images[0]).toMatchObject({ cached: true });
      expect(uploads('media/uploadimg')).toBe(before + 1);
      const forced = await runCli(['upload', COVER, '--force'], { cwd, env: oaEnv() });
      expect(forced.code, forced.stderr).toBe(0);
      expect(uploads('media/uploadimg')).toBe(before + 2);
    },
  );

  it.skipIf(!requireCorpus())(
    'materials add (image, thumb, video) and media upload: 10 MB temporary images, --compress for larger',
    async () => {
      const cwd = await dir('materials');
      const image = await runCli(['materials', 'add', COVER, '--json'], { cwd, env: oaEnv() });
      expect(image.code, image.stderr).toBe(0);
      const added = JSON.parse(image.stdout);
      expect(added.url).toMatch(/\/mmbiz_jpg\//);
      expect(sandbox.inspect().materials.some((m) => m.media_id === added.media_id)).toBe(true);
      const video = await runCli(['materials', 'add', COVER, '--type', 'video'], { cwd, env: oaEnv() });
      expect(video.code).toBe(2);
      expect(video.stderr).toMatch(/needs --title/);
      const big = await runCli(['materials', 'add', COVER, '--type', 'thumb'], { cwd, env: oaEnv() });
      expect(big.code).toBe(1);
      expect(big.stderr).toMatch(/64000-byte limit/);

      // 2.4 MB phone photo: within media/upload's 10 MB.
      const photo = corpusPath('images/photos/apple-iphone-5_orient3.jpg');
      const temp = await runCli(['media', 'upload', photo], { cwd, env: oaEnv() });
      expect(temp.code, temp.stderr).toBe(0);
      expect(sandbox.inspect().temporaryMedia.some((m) => m.media_id === temp.stdout.trim())).toBe(true);
      const huge = corpusPath('images/photos/mate-elephants-5640x3172-progressive.jpg');
      const refused = await runCli(['media', 'upload', huge], { cwd, env: oaEnv() });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/10000000-byte limit[\s\S]*--compress/);
      const compressed = await runCli(['media', 'upload', huge, '--compress', '--type', 'thumb'], {
        cwd,
        env: oaEnv(),
      });
      expect(compressed.code, compressed.stderr).toBe(0);
      expect(compressed.stderr).toMatch(/compressed 16376668 → \d+ bytes/);
      const thumb = sandbox.inspect().temporaryMedia.find((m) => m.media_id === compressed.stdout.trim());
      expect(thumb?.type).toBe('thumb');
      expect(thumb?.bytes).toBeLessThanOrEqual(64_000);
    },
  );

  it('WeCom: upload-by-url --wait, HD voice, quota, and R13 refused by client and sandbox', async () => {
    const cwd = await dir('wecom');
    const video = Buffer.concat([
      Buffer.from('0000001c66747970697336d00000000069736f6d', 'hex'),
      Buffer.alloc(4096, 7),
    ]);
    served.set('/clip.mp4', video);
    const job = await runCli(
      ['--platform', 'wecom', 'media', 'upload-by-url', `${filesUrl}/clip.mp4`, '--type', 'video', '--wait'],
      { cwd, env: wecomEnv() },
    );
    expect(job.code, job.stderr).toBe(0);
    const asyncId = job.stdout.trim();
    expect(asyncId).toMatch(/^3\*1\*/);
    expect(job.stderr).toMatch(/computing the MD5[\s\S]*processing[\s\S]*done in \d+ ms/);
    const bad = await runCli(
      [
        '--platform',
        'wecom',
        'media',
        'upload-by-url',
        `${filesUrl}/clip.mp4`,
        '--md5',
        'a'.repeat(32),
        '--wait',
      ],
      { cwd, env: wecomEnv() },
    );
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/errcode 301019/);

    // R13: an async media_id is no mpnews thumb — the client refuses before sending, the sandbox with 40007.
    const client = createWecomClient({ ...DEFAULT_WECOM_APP, baseUrl: sandbox.wecomUrl });
    await expect(
      client.sendMpnews({
        touser: 'zhangsan',
        articles: [{ title: 't', thumb_media_id: asyncId, content: '<p>x</p>' }],
      }),
    ).rejects.toThrow(WechatInputError);
    const token = await client.getAccessToken();
    const raw = await fetch(`${sandbox.wecomUrl}/cgi-bin/message/send?access_token=${token}`, {
      method: 'POST',
      body: JSON.stringify({
        touser: 'zhangsan',
        msgtype: 'mpnews',
        agentid: DEFAULT_WECOM_APP.agentId,
        mpnews: { articles: [{ title: 't', thumb_media_id: asyncId, content: '<p>x</p>' }] },
      }),
    });
    const answer = (await raw.json()) as { errcode: number; errmsg: string };
    expect(answer.errcode).toBe(40007);
    expect(answer.errmsg).toMatch(/upload_by_url/);

    // HD voice (M3): a voice uploaded as temporary media, fetched through media/get/jssdk.
    const amr = path.join(cwd, 'hello.amr');
    await writeFile(amr, Buffer.concat([Buffer.from('#!AMR\n'), Buffer.alloc(64, 0x3c)]));
    const voice = await runCli(['--platform', 'wecom', 'media', 'upload', amr, '--type', 'voice'], {
      cwd,
      env: wecomEnv(),
    });
    expect(voice.code, voice.stderr).toBe(0);
    const hd = await runCli(
      ['--platform', 'wecom', 'media', 'get', voice.stdout.trim(), '--hd-voice', '-o', 'hd.speex'],
      { cwd, env: wecomEnv() },
    );
    expect(hd.code, hd.stderr).toBe(0);
    expect((await stat(path.join(cwd, 'hd.speex'))).size).toBeGreaterThan(0);
    expect(sandbox.stats().requests['wecom/media/get/jssdk']).toBeGreaterThanOrEqual(1);

    // M4 quota: the same image twice through upload is one uploadimg call, and quota counts one.
    const up = await runCli(['--platform', 'wecom', 'upload', SMALL(), SMALL()], { cwd, env: wecomEnv() });
    expect(up.code, up.stderr).toBe(0);
    const quota = await runCli(['--platform', 'wecom', 'quota', '--json'], { cwd, env: wecomEnv() });
    expect(quota.code, quota.stderr).toBe(0);
    expect(JSON.parse(quota.stdout)).toMatchObject({
      day: { used: 1, limit: 1000 },
      month: { used: 1, limit: 3000 },
    });
    expect((await runCli(['quota'], { cwd, env: oaEnv() })).code).toBe(2);
  });

  it.skipIf(!requireCorpus())(
    'send reuses its temporary cover and uploads it again once its 3 days are over (R7)',
    async () => {
      const cwd = await dir('send');
      await copyFile(SMALL(), path.join(cwd, 'small.jpeg'));
      await writeFile(path.join(cwd, 'post.md'), '---\ntitle: R7\n---\n\n# R7\n\n![small](small.jpeg)\n');
      const temp = () => sandbox.stats().uploads['wecom/media/upload'] ?? 0;
      const before = temp();
      const send = () => runCli(['send', 'post.md', '--to', 'zhangsan'], { cwd, env: wecomEnv() });
      const first = await send();
      expect(first.code, first.stderr).toBe(0);
      expect(temp()).toBe(before + 1);
      const second = await send();
      expect(second.code, second.stderr).toBe(0);
      expect(second.stderr).toMatch(/reusing temporary media/);
      expect(temp()).toBe(before + 1);
      clockOffset += 3 * 86_400_000 + 60_000;
      try {
        const third = await send();
        expect(third.code, third.stderr).toBe(0);
        expect(third.stderr).toMatch(/is gone \(40007\); uploading it again/);
        expect(temp()).toBe(before + 2);
      } finally {
        clockOffset = 0;
      }
    },
  );

  it('callback verify-url and decrypt (C1), jssdk sign from the cached jsapi_ticket', async () => {
    const cwd = await dir('callback');
    const token = 'cbToken123';
    const encodingAESKey = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
    const crypt = new WXBizMsgCrypt({ token, encodingAESKey, receiveId: DEFAULT_WECOM_APP.corpId });
    const env = wecomEnv({ MD2WX_CALLBACK_TOKEN: token, MD2WX_CALLBACK_AES_KEY: encodingAESKey });
    const echo = crypt.encrypt('echo-42', { timestamp: 1700000000, nonce: 'n1' });
    const verifyUrl = `https://example.com/cb?msg_signature=${echo.msg_signature}&timestamp=${echo.timestamp}&nonce=${echo.nonce}&echostr=${encodeURIComponent(echo.encrypt)}`;
    const verified = await runCli(['--platform', 'wecom', 'callback', 'verify-url', verifyUrl], { cwd, env });
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toBe('echo-42\n');
    const event = `<xml><ToUserName><![CDATA[${DEFAULT_WECOM_APP.corpId}]]></ToUserName><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[upload_media_job_finish]]></Event><JobId><![CDATA[job-1]]></JobId></xml>`;
    await writeFile(
      path.join(cwd, 'body.xml'),
      crypt.encryptReply(event, { timestamp: 1700000001, nonce: 'n2' }),
    );
    const body = await readFile(path.join(cwd, 'body.xml'), 'utf8');
    const signature = /<MsgSignature><!\[CDATA\[([0-9a-f]+)/.exec(body)?.[1];
    const postUrl = `/cb?msg_signature=${signature}&timestamp=1700000001&nonce=n2`;
    const decrypted = await runCli(['--platform', 'wecom', 'callback', 'decrypt', postUrl, 'body.xml'], {
      cwd,
      env,
    });
    expect(decrypted.code, decrypted.stderr).toBe(0);
    expect(decrypted.stdout).toContain('<JobId><![CDATA[job-1]]></JobId>');
    const tampered = await runCli(
      ['--platform', 'wecom', 'callback', 'decrypt', postUrl.replace(/nonce=n2/, 'nonce=n3'), 'body.xml'],
      { cwd, env },
    );
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toMatch(/-40001|signature/i);

    const signed = await runCli(
      [
        'jssdk',
        'sign',
        'https://example.com/page?a=1#frag',
        '--timestamp',
        '1700000000',
        '--nonce',
        'abc',
        '--json',
      ],
      { cwd, env: oaEnv() },
    );
    expect(signed.code, signed.stderr).toBe(0);
    const config = JSON.parse(signed.stdout);
    const ticket = await createOfficialAccountClient({
      ...DEFAULT_ACCOUNT,
      baseUrl: sandbox.url,
    }).getJsapiTicket();
    expect(config).toMatchObject({ appId: DEFAULT_ACCOUNT.appId, timestamp: 1700000000, nonceStr: 'abc' });
    expect(config.signature).toBe(
      jssdkSignature({
        jsapi_ticket: ticket,
        noncestr: 'abc',
        timestamp: 1700000000,
        url: 'https://example.com/page?a=1',
      }),
    );
  });
});

describe('every answer true', () => {
  it('walks each error path and checks its exit code', async () => {
    const cwd = await dir('exits');
    await writeFile(path.join(cwd, 'ok.md'), '# ok\n\ntext\n');
    await writeFile(path.join(cwd, 'bad-yaml.md'), '---\ntitle: ok\nfoo: [1, 2\nbar: 3\n---\n\n# Body\n');
    await writeFile(
      path.join(cwd, 'no-cover.md'),
      '---\ntitle: t\ncover: images/gone.jpg\n---\n\n# t\n\ntext\n',
    );
    const cases: Array<[string[], number, RegExp, Record<string, string>?]> = [
      [['ok.md', '--theme', 'no-such-theme'], 2, /unknown theme "no-such-theme"/],
      [['lint', 'ok.md', '--theme', 'no-such-theme'], 2, /unknown theme/],
      [['drafts', 'list', '--count', '21'], 2, /--count must be 1 to 20/, oaEnv()],
      [['materials', 'list', '--count', '0'], 2, /--count must be 1 to 20/, oaEnv()],
      [['typo/**/*.md'], 2, /no Markdown file matches typo\/\*\*\/\*\.md/],
      [['--no-such-flag'], 2, /unknown option/],
      [['ok.md', '--draft'], 4, /WECHAT_APP_ID is not set/],
      [['doctor'], 4, /error credentials: WECHAT_APP_ID is not set[\s\S]*fix: /],
      [['bad-yaml.md'], 1, /bad-yaml\.md:4:1: front matter is not valid YAML: .+ — fix the YAML/],
      [['lint', 'bad-yaml.md'], 1, /bad-yaml\.md:4:1: front matter is not valid YAML/],
      [['no-cover.md', '--draft', '--no-write'], 1, /images\/gone\.jpg[\s\S]*--cover-fallback/, oaEnv()],
      [['token'], 3, /errcode 40125/, oaEnv({ WECHAT_APP_SECRET: 'nope' })],
    ];
    for (const [args, code, pattern, env] of cases) {
      const result = await runCli(args, { cwd, ...(env ? { env } : {}) });
      expect(result.code, `md2wx ${args.join(' ')}\n${result.stderr}`).toBe(code);
      expect(result.stderr, `md2wx ${args.join(' ')}`).toMatch(pattern);
    }
    const json = await runCli(['bad-yaml.md', '--json'], { cwd });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).error.problems[0]).toMatchObject({
      file: 'bad-yaml.md',
      line: 4,
      column: 1,
    });
    // An unreachable WeChat host is the network's fault (3), not the content's — also when an image upload meets it.
    await copyFile(COVER, path.join(cwd, 'dusk.jpg'));
    await writeFile(path.join(cwd, 'img.md'), '# img\n\n![d](dusk.jpg)\n');
    const down = await runCli(['img.md', '--draft', '--no-write'], {
      cwd,
      env: oaEnv({ WECHAT_BASE_URL: 'http://127.0.0.1:9' }),
    });
    expect(down.code, down.stderr).toBe(3);
    expect(down.stderr).toMatch(/ECONNREFUSED/);
  });

  it('--continue-on-error keeps a preview with a 404 image, whose message names its URL once', async () => {
    const cwd = await dir('continue');
    const url = `${filesUrl}/gone.png`;
    await writeFile(path.join(cwd, 'post.md'), `# Post\n\n![gone](${url})\n`);
    const failed = await runCli(['preview', 'post.md', '--once', '--allow-private-hosts'], { cwd });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/HTTP 404/);
    expect(failed.stderr.split(url).length - 1).toBe(1);
    const kept = await runCli(
      ['preview', 'post.md', '--once', '--continue-on-error', '--allow-private-hosts'],
      {
        cwd,
      },
    );
    expect(kept.code, kept.stderr).toBe(0);
    expect(await readFile(kept.stdout.trim(), 'utf8')).toContain('<h1');
    const render = await runCli(['post.md', '--continue-on-error', '--no-write', '--allow-private-hosts'], {
      cwd,
    });
    expect(render.code, render.stderr).toBe(0);
    expect((await runCli(['post.md', '--continue-on-error', '--draft'], { cwd, env: oaEnv() })).code).toBe(2);
  });

  it('--sandbox-state: a second --draft run updates the draft and uploads nothing', async () => {
    const cwd = await dir('sandbox-state');
    const args = [path.join(HELLO_DIR, 'post.md'), '--sandbox-state', 'rehearsal', '--draft', '--no-write'];
    const first = await runCli(args, { cwd });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/draft created/);
    const second = await runCli(args, { cwd });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/draft updated/);
    expect(second.stderr).toMatch(/3 cached/);
    expect(second.stderr).not.toMatch(/uploaded/);
    expect(second.stdout).toBe(first.stdout);
    const draftId = second.stdout.match(/^media_id (\S+)$/m)?.[1];

    // `md2wx sandbox --state` serves the same state; its env lines point other runs at it.
    const { server, match } = await startCli(['sandbox', '--state', 'rehearsal'], {
      cwd,
      ready: /^WECHAT_BASE_URL=(\S+)$/m,
    });
    try {
      const drafts = await runCli(['drafts', 'list'], {
        cwd,
        env: oaEnv({ WECHAT_BASE_URL: match[1] as string }),
      });
      expect(drafts.code, drafts.stderr).toBe(0);
      expect(drafts.stdout).toContain(draftId as string);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('reads a post from stdin (images relative to --root-dir) and from a URL with its relative images', async () => {
    const cwd = await dir('inputs');
    await mkdir(path.join(cwd, 'site/img'), { recursive: true });
    await copyFile(COVER, path.join(cwd, 'site/img/dusk.jpg'));
    const markdown = '---\ntitle: Piped\n---\n\n# Piped\n\n![dusk](img/dusk.jpg)\n';
    const { spawn } = await import('node:child_process');
    const child = spawn(
      process.execPath,
      [...cliCommand(), '-', '--root-dir', 'site', '--json', ...['--sandbox', '--draft']],
      {
        cwd,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CI: '1', NO_COLOR: '1' },
      },
    );
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stdin.end(markdown);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.posts[0].title).toBe('Piped');
    expect(report.posts[0].images).toMatchObject({ images: 1, uploaded: 1 });

    served.set(
      '/blog/post.md',
      Buffer.from('---\ntitle: Remote\n---\n\n# Remote\n\n![a](pics/a.jpg)\n![b](/static/b.jpg)\n'),
    );
    const jpeg = await readFile(COVER);
    served.set('/blog/pics/a.jpg', jpeg);
    served.set('/static/b.jpg', jpeg);
    const remote = await runCli(
      [`${filesUrl}/blog/post.md`, '--sandbox', '--draft', '--json', '--allow-private-hosts'],
      {
        cwd,
      },
    );
    expect(remote.code, remote.stderr).toBe(0);
    const remoteReport = JSON.parse(remote.stdout);
    expect(remoteReport.posts[0].title).toBe('Remote');
    expect(remoteReport.posts[0].images).toMatchObject({ images: 2 });
    expect(createHash('sha256').update(jpeg).digest('hex')).toHaveLength(64);
  });

  it('--help groups the commands', async () => {
    const help = await runCli(['--help'], { cwd: work });
    expect(help.code).toBe(0);
    const headings = [...help.stdout.matchAll(/^(\S[^:\n]*):$/gm)].map((m) => m[1]);
    expect(headings).toEqual(
      expect.arrayContaining(['Publishing', 'Materials and media', 'Accounts and tokens', 'WeCom', 'Tools']),
    );
    const section = (name: string) => help.stdout.split(`\n${name}:\n`)[1]?.split(/\n\n/)[0] ?? '';
    expect(section('Materials and media')).toMatch(/^ {2}materials\b/m);
    expect(section('Accounts and tokens')).toMatch(/^ {2}doctor\b/m);
    expect(section('WeCom')).toMatch(/^ {2}callback\b/m);
    expect(section('Tools')).toMatch(/^ {2}jssdk\b/m);
  });
});
