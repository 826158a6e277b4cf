/**
 * The soak suite (issue 19): many md2wx processes on posts of one directory against a sandbox steered through
 * its control API (`/__sandbox/…`), with faults, token revocations and `kill -9`, with the file store and with
 * a real redis-server. After bounded rounds, one clean round lets every post converge, then the figures are
 * taken from the sandbox, the state files and everything the processes printed.
 *
 * `runSoak(options)` is used by `npm run soak` (test/soak/run.ts, the long version) and by
 * test/soak/soak.test.ts (the short version inside `npm test`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseState } from '@md2wx/remark-wechat-images';
import { DEFAULT_ACCOUNT, type SandboxLogEntry, type SandboxSnapshot, startSandbox } from '@md2wx/sandbox';
import { type RedisServer, startRedisServer } from '@md2wx/store-redis';
import { corpusPath, repoRoot } from '@md2wx/testkit';

/** What one soak does. Rounds are bounded in count and in wall time; the soak stops by itself. */
export interface SoakOptions {
  /** Processes (and posts) per round. */
  processes: number;
  /** Faulty rounds per store, before the clean round. */
  rounds: number;
  /** Stores to run: the file store, and a redis-server started for the soak. */
  stores: ('file' | 'redis')[];
  /** Share of business requests that meet a fault, spread over 5xx, drops before/after acting, -1, 45009. */
  faultRate: number;
  /** Processes killed with SIGKILL per faulty round. */
  killsPerRound: number;
  /** Token revocations per faulty round, at random moments. */
  revocationsPerRound: number;
  /** No new faulty round starts after this many seconds (per store). */
  maxSeconds: number;
  /** A process still running after this long is killed and counted as hung, milliseconds. */
  processTimeoutMs: number;
  /** Seed of the harness's own random choices (kill and revocation moments, which processes). */
  seed: number;
  /** Progress lines (round by round). */
  log?: (line: string) => void;
}

/** The figures of one store's soak. */
export interface SoakFigures {
  store: 'file' | 'redis';
  rounds: number;
  runs: number;
  kills: number;
  hung: number;
  faultsInjected: Record<string, number>;
  posts: number;
  /** Posts ending as exactly one draft. */
  exactlyOneDraft: number;
  /** Drafts beyond the first for a post. */
  duplicateDrafts: number;
  /** Posts with no draft at all after the clean round. */
  missingDrafts: number;
  /** Uploads of the same bytes beyond the first, when no earlier upload's answer was lost or killed. */
  duplicateUploadsAnswerKept: number;
  /** Uploads of the same bytes beyond the first, all causes (lost answers, kills). */
  duplicateUploadsTotal: number;
  tokensIssued: number;
  revocations: number;
  /** tokensIssued / (1 + revocations): 1 means each revocation cost one token request for all processes. */
  tokenRequestsPerRevocation: number;
  /** State files that were not valid, or entries pointing at drafts/materials WeChat does not hold. */
  invalidStateFiles: number;
  disagreeingEntries: number;
  /** Longest wait for a lock any process reported (state file, draft or image lock), milliseconds. */
  longestLockWaitMs: number;
  /** Longest process run, milliseconds (a stale lock of a killed process shows here too). */
  longestRunMs: number;
  /** Occurrences of an access_token (raw, URL-encoded, or its first 31 characters) or the AppSecret. */
  secretsFound: number;
  /** Where they were found (file or `stdout of run N`). */
  secretsWhere: string[];
  /** Exit codes of every run, counted. */
  exitCodes: Record<string, number>;
  seconds: number;
}

/**
 * The longest a lock left by a killed process can hold others up: the image lock's TTL (30 s, file store and
 * Redis alike, unless the store detects the dead holder sooner); the draft lock's is 20 s, the state file's 5 s.
 */
export const LOCK_BOUND_MS = 30_000;

const COVER = 'images/png/sharp-flag-nl-16bit.png';
const PHOTO = 'images/photos/canon-sx60_orient6.jpg';
const CLI = path.join(repoRoot, 'packages/cli/dist/bin.js');

/** A seeded PRNG (mulberry32), so a soak's kill and revocation moments repeat. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The packages whose build the CLI's dist loads (each resolves the others through their dist). */
const BUILT = ['cli', 'wechat', 'images', 'remark-wechat-images', 'render', 'store-redis', 'token-service'];

/**
 * The soak runs the built CLI (`packages/cli/dist`): 20 processes through tsx would spend the machine on
 * compiling. `npm run soak` builds first, and CI builds before `npm test`. A dist that looks older than its
 * sources (by mtime: turbo's cache restores keep old times, so this only warns) is reported on stderr.
 * @throws Error saying which command builds it when a package's dist is missing.
 */
export function assertCliBuilt(): void {
  const newest = (dir: string): number =>
    statSync(dir).isDirectory()
      ? Math.max(0, ...readdirSync(dir).map((name) => newest(path.join(dir, name))))
      : statSync(dir).mtimeMs;
  for (const name of BUILT) {
    const built = path.join(repoRoot, 'packages', name, 'dist/index.js');
    if (!existsSync(built) || !existsSync(CLI)) {
      throw new Error(`${built} is missing: run npx turbo run build --filter=@md2wx/cli... first`);
    }
    if (newest(path.join(repoRoot, 'packages', name, 'src')) > statSync(built).mtimeMs + 1000) {
      process.stderr.write(
        `soak: packages/${name}/dist may be older than its src (run npx turbo run build --filter=@md2wx/cli...)\n`,
      );
    }
  }
}

async function control(base: string, method: string, route: string, body?: unknown): Promise<unknown> {
  const init: RequestInit = { method };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(`${base}/__sandbox${route}`, init);
  return res.json();
}

/** The marker md2wx puts in a post's content (packages/publish/src/drafts.ts `markerFor`). */
function markerFor(account: string, key: string): string {
  return createHash('sha256').update(`${account}\n${key}`).digest('hex').slice(0, 20);
}

interface Run {
  index: number;
  child: ChildProcess;
  stdout: string;
  stderr: string;
  started: number;
  ended?: number;
  code?: number | null;
  signal?: NodeJS.Signals | null;
  killed?: boolean;
  done: Promise<void>;
}

function startRun(index: number, args: string[], cwd: string, env: Record<string, string>): Run {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const run: Run = { index, child, stdout: '', stderr: '', started: Date.now(), done: Promise.resolve() };
  child.stdout?.on('data', (chunk: Buffer) => {
    run.stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    run.stderr += chunk.toString('utf8');
  });
  run.done = new Promise((resolve) => {
    child.on('close', (code, signal) => {
      run.code = code;
      run.signal = signal;
      run.ended = Date.now();
      resolve();
    });
  });
  return run;
}

/** Every file below `dir` (the work directory of the soak), relative paths. */
async function allFiles(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await allFiles(full, base)));
    else out.push(path.relative(base, full));
  }
  return out;
}

/** Runs the soak for each store in `options.stores` and returns one figures object per store. */
export async function runSoak(options: SoakOptions): Promise<SoakFigures[]> {
  assertCliBuilt();
  const out: SoakFigures[] = [];
  for (const store of options.stores) out.push(await soakOneStore(store, options));
  return out;
}

async function soakOneStore(store: 'file' | 'redis', options: SoakOptions): Promise<SoakFigures> {
  const log = options.log ?? (() => {});
  const rand = random(options.seed + (store === 'redis' ? 1 : 0));
  const started = Date.now();
  const sandbox = await startSandbox({ seed: options.seed, publishDelayMs: 50 });
  const base = sandbox.url;
  const dir = await mkdtemp(path.join(tmpdir(), `md2wx-soak-${store}-`));
  let redis: RedisServer | undefined;
  const runs: Run[] = [];
  const kills: { at: number }[] = [];
  const figures: SoakFigures = {
    store,
    rounds: 0,
    runs: 0,
    kills: 0,
    hung: 0,
    faultsInjected: {},
    posts: options.processes,
    exactlyOneDraft: 0,
    duplicateDrafts: 0,
    missingDrafts: 0,
    duplicateUploadsAnswerKept: 0,
    duplicateUploadsTotal: 0,
    tokensIssued: 0,
    revocations: 0,
    tokenRequestsPerRevocation: 0,
    invalidStateFiles: 0,
    disagreeingEntries: 0,
    longestLockWaitMs: 0,
    longestRunMs: 0,
    secretsFound: 0,
    secretsWhere: [],
    exitCodes: {},
    seconds: 0,
  };
  try {
    if (store === 'redis') redis = await startRedisServer();
    await mkdir(path.join(dir, 'posts', 'images'), { recursive: true });
    await copyFile(corpusPath(COVER), path.join(dir, 'posts/images/cover.png'));
    await copyFile(corpusPath(PHOTO), path.join(dir, 'posts/images/photo.jpg'));
    const keys: string[] = [];
    for (let i = 0; i < options.processes; i++) {
      const key = `posts/p${String(i).padStart(2, '0')}.md`;
      keys.push(key);
      await writeFile(
        path.join(dir, key),
        `---\ntitle: Soak post ${i}\ncover: images/cover.png\n---\n\nSoak post ${i}.\n\n![photo](images/photo.jpg)\n`,
      );
    }
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      CI: '1',
      NO_COLOR: '1',
      WECHAT_APP_ID: DEFAULT_ACCOUNT.appId,
      WECHAT_APP_SECRET: DEFAULT_ACCOUNT.appSecret,
      WECHAT_BASE_URL: base,
    };
    if (redis) env.MD2WX_REDIS_URL = redis.url;
    const share = options.faultRate / 5;
    const faulty = {
      http5xxRate: share,
      dropRate: share,
      dropAnswerRate: share,
      busyRate: share,
      quotaRate: share,
    };

    const round = async (withFaults: boolean): Promise<void> => {
      await control(base, 'PUT', '/faults', withFaults ? faulty : {});
      const roundRuns = keys.map((key) =>
        startRun(
          runs.length + keys.indexOf(key),
          [key, '--draft', '--no-write', '--json', '--no-progress'],
          dir,
          env,
        ),
      );
      runs.push(...roundRuns);
      const timers: ReturnType<typeof setTimeout>[] = [];
      let poller: ReturnType<typeof setInterval> | undefined;
      if (withFaults) {
        // Revocations at random points of the round's traffic (after n business calls), so each meets live tokens.
        const before = await businessCalls(base);
        const at = Array.from({ length: options.revocationsPerRound }, () =>
          Math.floor(1 + rand() * options.processes * 1.5),
        ).sort((a, b) => a - b);
        poller = setInterval(() => {
          void businessCalls(base)
            .then(async (now) => {
              while (at.length > 0 && now - before >= (at[0] as number)) {
                at.shift();
                await control(base, 'POST', '/revoke', {});
              }
            })
            .catch(() => {});
        }, 250);
        const victims = new Set<number>();
        while (victims.size < Math.min(options.killsPerRound, roundRuns.length)) {
          victims.add(Math.floor(rand() * roundRuns.length));
        }
        for (const v of victims) {
          const run = roundRuns[v] as Run;
          timers.push(
            setTimeout(
              () => {
                if (run.ended === undefined && run.child.pid !== undefined) {
                  run.killed = true;
                  kills.push({ at: Date.now() });
                  run.child.kill('SIGKILL');
                }
              },
              1000 + rand() * 9000,
            ),
          );
        }
      }
      const watchdog = setTimeout(() => {
        for (const run of roundRuns) {
          if (run.ended === undefined) {
            figures.hung++;
            run.child.kill('SIGKILL');
          }
        }
      }, options.processTimeoutMs);
      await Promise.all(roundRuns.map((r) => r.done));
      clearTimeout(watchdog);
      if (poller) clearInterval(poller);
      for (const t of timers) clearTimeout(t);
      figures.rounds++;
      await checkStateFiles(dir, await snapshotOf(base), figures);
      const codes = roundRuns.map((r) => (r.killed ? 'killed' : String(r.code)));
      const longest = Math.max(...roundRuns.filter((r) => !r.killed).map((r) => (r.ended ?? 0) - r.started));
      log(
        `${store} round ${figures.rounds}${withFaults ? '' : ' (clean)'}: exit codes ${codes.join(' ')}; longest run ${longest} ms`,
      );
    };

    while (figures.rounds < options.rounds && (Date.now() - started) / 1000 < options.maxSeconds) {
      await round(true);
    }
    await round(false);

    // Figures.
    const snapshot = await snapshotOf(base);
    const stats = (await control(base, 'GET', '/stats')) as {
      tokensIssued: Record<string, number>;
      revocations: number;
      faultsInjected: Record<string, number>;
    };
    const logEntries = ((await control(base, 'GET', '/log')) as { entries: SandboxLogEntry[] }).entries;
    figures.faultsInjected = stats.faultsInjected;
    figures.revocations = stats.revocations;
    figures.tokensIssued = stats.tokensIssued[DEFAULT_ACCOUNT.appId] ?? 0;
    figures.tokenRequestsPerRevocation = figures.tokensIssued / (1 + figures.revocations);
    for (const key of keys) {
      const marker = `data-md2wx-post="${markerFor(DEFAULT_ACCOUNT.appId, key)}"`;
      const n = snapshot.drafts.filter((d) =>
        d.articles.some((a) => String(a.content ?? '').includes(marker)),
      ).length;
      if (n === 1) figures.exactlyOneDraft++;
      if (n === 0) figures.missingDrafts++;
      figures.duplicateDrafts += Math.max(0, n - 1);
    }
    countUploads(logEntries, kills, figures);
    figures.runs = runs.length;
    figures.kills = kills.length;
    for (const run of runs) {
      const code = run.killed ? 'killed' : String(run.code);
      figures.exitCodes[code] = (figures.exitCodes[code] ?? 0) + 1;
      if (run.ended !== undefined)
        figures.longestRunMs = Math.max(figures.longestRunMs, run.ended - run.started);
      const report = parseReport(run.stdout);
      const costs = report?.costs;
      if (costs) {
        figures.longestLockWaitMs = Math.max(
          figures.longestLockWaitMs,
          costs.stateLockWaitMs,
          costs.lockWaitMs,
        );
      }
    }
    await findSecrets(base, dir, runs, figures);
  } finally {
    for (const run of runs) if (run.ended === undefined) run.child.kill('SIGKILL');
    await sandbox.close();
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  }
  figures.seconds = Math.round((Date.now() - started) / 100) / 10;
  return figures;
}

function parseReport(
  stdout: string,
): { costs?: { stateLockWaitMs: number; lockWaitMs: number } } | undefined {
  try {
    return JSON.parse(stdout);
  } catch {
    return undefined;
  }
}

/** Business calls the sandbox has answered or refused so far (token endpoints not counted). */
async function businessCalls(base: string): Promise<number> {
  const stats = (await control(base, 'GET', '/stats')) as { requests: Record<string, number> };
  return Object.entries(stats.requests)
    .filter(([api]) => !['token', 'stable_token', 'wecom/gettoken'].includes(api))
    .reduce((sum, [, n]) => sum + n, 0);
}

async function snapshotOf(base: string): Promise<SandboxSnapshot> {
  return (await control(base, 'GET', '/state')) as SandboxSnapshot;
}

/**
 * drafts.json and images.json must parse, and every entry must name what the sandbox holds: a draft carrying
 * the post's marker at the entry's index; a material (covers, GIFs) or an image URL the sandbox serves.
 */
async function checkStateFiles(dir: string, snapshot: SandboxSnapshot, figures: SoakFigures): Promise<void> {
  const draftsFile = path.join(dir, '.md2wx/drafts.json');
  if (existsSync(draftsFile)) {
    try {
      const data = JSON.parse(await readFile(draftsFile, 'utf8')) as {
        accounts: Record<string, Record<string, { media_id: string; index: number }>>;
      };
      for (const [account, entries] of Object.entries(data.accounts)) {
        for (const [key, entry] of Object.entries(entries)) {
          const draft = snapshot.drafts.find((d) => d.media_id === entry.media_id);
          const content = String(draft?.articles[entry.index]?.content ?? '');
          if (!content.includes(`data-md2wx-post="${markerFor(account, key)}"`)) figures.disagreeingEntries++;
        }
      }
    } catch {
      figures.invalidStateFiles++;
    }
  }
  const imagesFile = path.join(dir, '.md2wx/images.json');
  if (existsSync(imagesFile)) {
    try {
      const entries = parseState(await readFile(imagesFile, 'utf8'), imagesFile);
      const materials = new Set(snapshot.materials.map((m) => m.media_id));
      for (const entry of Object.values(entries)) {
        if (entry.media_id) {
          if (!materials.has(entry.media_id)) figures.disagreeingEntries++;
        } else {
          const res = await fetch(entry.url);
          await res.arrayBuffer();
          if (!res.ok) figures.disagreeingEntries++;
        }
      }
    } catch {
      figures.invalidStateFiles++;
    }
  }
}

/** Upload endpoints whose duplicates are counted (same filename = same bytes: md2wx names uploads by hash). */
const UPLOADS = new Set(['media/uploadimg', 'material/add_material']);

/**
 * Duplicate uploads: successful uploads of one file name beyond the first. An earlier upload of the same name
 * excuses the next one when its answer was lost — dropped by the sandbox after acting, the connection gone
 * (status 0), in flight when a process was killed, or answered less than 1 s before a kill (the answer came,
 * the cache write had no time).
 */
function countUploads(entries: SandboxLogEntry[], kills: { at: number }[], figures: SoakFigures): void {
  const byName = new Map<string, SandboxLogEntry[]>();
  for (const e of entries) {
    if (!e.api || !UPLOADS.has(e.api)) continue;
    const name = e.files?.[0]?.filename;
    if (!name) continue;
    byName.set(name, [...(byName.get(name) ?? []), e]);
  }
  const acted = (e: SandboxLogEntry) =>
    e.fault === 'dropAnswer' || (e.status === 200 && e.errcode === undefined && e.fault === undefined);
  const lost = (e: SandboxLogEntry) => {
    if (e.fault === 'dropAnswer' || e.status === 0) return true;
    const end = e.time + (e.ms ?? 0);
    return kills.some((k) => k.at >= e.time && k.at <= end + 1000);
  };
  for (const list of byName.values()) {
    const done = list.filter(acted);
    if (done.length <= 1) continue;
    figures.duplicateUploadsTotal += done.length - 1;
    const excused = done.slice(0, -1).filter(lost).length;
    figures.duplicateUploadsAnswerKept += Math.max(0, done.length - 1 - excused);
  }
}

/**
 * Every access_token the sandbox issued (raw, URL-encoded, its first 31 characters) and the AppSecret, looked
 * for in every process's output and every file of the work directory except the token cache itself
 * (`.md2wx-cache/store.json`, where the file store keeps the token by design).
 */
async function findSecrets(base: string, dir: string, runs: Run[], figures: SoakFigures): Promise<void> {
  const tokens = (await control(base, 'GET', '/tokens')) as { token: string }[];
  const needles = new Set<string>([DEFAULT_ACCOUNT.appSecret]);
  for (const { token } of tokens) {
    needles.add(token);
    needles.add(encodeURIComponent(token));
    needles.add(token.slice(0, 31));
  }
  const scan = (text: string, where: string) => {
    for (const needle of needles) {
      if (needle && text.includes(needle)) {
        figures.secretsFound++;
        figures.secretsWhere.push(where);
      }
    }
  };
  for (const run of runs) {
    scan(run.stdout, `stdout of run ${run.index}`);
    scan(run.stderr, `stderr of run ${run.index}`);
  }
  for (const file of await allFiles(dir)) {
    if (file === path.join('.md2wx-cache', 'store.json')) continue;
    const info = await stat(path.join(dir, file));
    if (info.size > 8 * 1024 * 1024) continue;
    scan(await readFile(path.join(dir, file), 'utf8'), file);
  }
}

/** The figures as the lines `npm run soak` prints, with each target. */
export function formatFigures(all: SoakFigures[]): string {
  const lines: string[] = [];
  for (const f of all) {
    const pct = f.posts ? ((100 * f.exactlyOneDraft) / f.posts).toFixed(1) : '0';
    lines.push(
      `store ${f.store}: ${f.rounds} rounds (last one clean), ${f.runs} runs, ${f.kills} kill -9, ${f.hung} hung, ${f.seconds} s`,
      `  faults injected                         ${JSON.stringify(f.faultsInjected)}`,
      `  exit codes                              ${JSON.stringify(f.exitCodes)}`,
      `  posts ending as exactly one draft       ${f.exactlyOneDraft}/${f.posts} (${pct} %)   target 100 %`,
      `  duplicate drafts                        ${f.duplicateDrafts}   target 0 (posts with no draft: ${f.missingDrafts})`,
      `  duplicate uploads, answer not lost      ${f.duplicateUploadsAnswerKept}   target 0 (all causes: ${f.duplicateUploadsTotal})`,
      `  token requests per revocation           ${f.tokenRequestsPerRevocation.toFixed(2)}   target 1 (${f.tokensIssued} tokens issued, ${f.revocations} revocations)`,
      `  invalid or disagreeing state files      ${f.invalidStateFiles} invalid, ${f.disagreeingEntries} disagreeing entries   target 0`,
      `  longest lock wait                       ${f.longestLockWaitMs} ms   bound ${LOCK_BOUND_MS} ms (longest run ${f.longestRunMs} ms)`,
      `  tokens or secrets in output or files    ${f.secretsFound}   target 0${f.secretsWhere.length ? ` (${[...new Set(f.secretsWhere)].slice(0, 5).join(', ')})` : ''}`,
    );
  }
  return lines.join('\n');
}
