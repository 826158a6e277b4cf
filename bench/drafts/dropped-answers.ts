/**
 * Duplicate drafts left when `draft/add` answers are lost, and what the draft-box lookup costs.
 *
 * For each drop rate (sandbox `dropAnswerRate` on draft/add: the draft is added, the answer never arrives),
 * `--posts` posts are pushed `--runs` times in a row, once with the state file kept between runs (committed)
 * and once deleted before each run (a CI runner that never committed it: every post needs a lookup):
 * - md2wx: `upsertDraft` (packages/publish/src/drafts.ts): draft-box lookup by marker before each add;
 * - baseline "add and record": what md2wx did before issue 19 — draft/add when the state has no entry, record
 *   the media_id when the answer comes, nothing looked up (a lost answer fails the post, the next run adds
 *   again). Posts the state knows are left alone in both modes' figures (an update adds nothing).
 * Printed per rate: drafts beyond one per post after all runs, posts that never got a draft, draft/batchget
 * pages and draft/get calls per post, and the mean time per post (sandbox without latency: the ratio, not the
 * absolute time, is the figure).
 *
 * Run: npx tsx --conditions=@md2wx/source bench/drafts/dropped-answers.ts [--posts 20] [--runs 3] [--boxed 40]
 * (`--boxed`: unrelated drafts already in the draft box, so lookups have pages to read).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_ACCOUNT, startSandbox } from '@md2wx/sandbox';
import { repoRoot } from '@md2wx/testkit';
import { createOfficialAccountClient, type DraftArticle, memoryStore } from '@md2wx/wechat';
import { type DraftLookup, upsertDraft } from '../../packages/publish/src/drafts.ts';
import { DraftState } from '../../packages/publish/src/state.ts';

const { values } = parseArgs({
  options: {
    posts: { type: 'string', default: '20' },
    runs: { type: 'string', default: '3' },
    boxed: { type: 'string', default: '40' },
  },
});
const POSTS = Number(values.posts);
const RUNS = Number(values.runs);
const BOXED = Number(values.boxed);
const RATES = [0.1, 0.3, 0.5];

interface Outcome {
  duplicates: number;
  missing: number;
  pagesPerPost: number;
  getsPerPost: number;
  msPerPost: number;
}

async function trial(rate: number, mode: 'md2wx' | 'baseline', loseState: boolean): Promise<Outcome> {
  const sandbox = await startSandbox({ seed: Math.round(rate * 1000) + 7 });
  const dir = await mkdtemp(path.join(tmpdir(), 'md2wx-bench-drafts-'));
  try {
    // Few retries and short backoff: the figure is what survives, not how long retries wait.
    const client = createOfficialAccountClient({
      ...DEFAULT_ACCOUNT,
      baseUrl: sandbox.url,
      store: memoryStore(),
      retries: 1,
      retryBaseMs: 5,
    });
    const png = await readFile(path.join(repoRoot, 'examples/hello/images/pipeline.png'));
    const thumb = (await client.addMaterial({ type: 'image', data: png, filename: 'cover.png' })).media_id;
    const article = (title: string): DraftArticle => ({
      title,
      content: `<p>${title}</p>`,
      thumb_media_id: thumb,
    });
    for (let i = 0; i < BOXED; i++) await client.addDraft([article(`Unrelated ${i}`)]);
    sandbox.setFaults({ endpoints: { 'draft/add': { dropAnswerRate: rate } } });
    const lookups: DraftLookup[] = [];
    let elapsed = 0;
    let attempts = 0;
    for (let run = 0; run < RUNS; run++) {
      const file = path.join(dir, '.md2wx', 'drafts.json');
      if (loseState) await rm(file, { force: true });
      const state = await DraftState.open(file);
      for (let p = 0; p < POSTS; p++) {
        const key = `posts/p${p}.md`;
        const started = performance.now();
        attempts++;
        try {
          if (mode === 'md2wx') {
            await upsertDraft(client, state, DEFAULT_ACCOUNT.appId, [key], [article(`Post ${p}`)], {
              onLookup: (l) => lookups.push(l),
            });
          } else if (!state.get(DEFAULT_ACCOUNT.appId, key)) {
            const { media_id } = await client.addDraft([article(`Post ${p}`)]);
            state.set(DEFAULT_ACCOUNT.appId, key, { media_id, index: 0 });
            await state.save();
          }
        } catch {
          // A post left ambiguous this run; the next run tries again.
        }
        elapsed += performance.now() - started;
      }
    }
    const counts = new Map<string, number>();
    for (const d of sandbox.inspect().drafts) {
      const title = String(d.articles[0]?.title);
      if (title.startsWith('Post ')) counts.set(title, (counts.get(title) ?? 0) + 1);
    }
    let duplicates = 0;
    for (const n of counts.values()) duplicates += Math.max(0, n - 1);
    return {
      duplicates,
      missing: POSTS - counts.size,
      pagesPerPost: lookups.reduce((s, l) => s + l.pages, 0) / attempts,
      getsPerPost: lookups.reduce((s, l) => s + l.gets, 0) / attempts,
      msPerPost: elapsed / attempts,
    };
  } finally {
    await sandbox.close();
    await rm(dir, { recursive: true, force: true });
  }
}

for (const loseState of [false, true]) {
  console.log(
    `\n${POSTS} posts × ${RUNS} runs, state file ${loseState ? 'deleted before each run' : 'kept between runs'}, ${BOXED} unrelated drafts in the box`,
  );
  console.log(
    'dropAnswerRate  mode       duplicates  no draft  batchget pages/post  draft/get/post  ms/post',
  );
  for (const rate of RATES) {
    const base = await trial(rate, 'baseline', loseState);
    const ours = await trial(rate, 'md2wx', loseState);
    for (const [mode, o] of [
      ['baseline', base],
      ['md2wx', ours],
    ] as const) {
      console.log(
        `${rate.toFixed(1).padStart(14)}  ${mode.padEnd(9)}  ${String(o.duplicates).padStart(10)}  ${String(o.missing).padStart(8)}  ${o.pagesPerPost.toFixed(2).padStart(19)}  ${o.getsPerPost.toFixed(2).padStart(14)}  ${o.msPerPost.toFixed(1).padStart(7)}`,
      );
    }
    console.log(
      `${''.padStart(14)}  ratio      time per post md2wx / baseline = ${(ours.msPerPost / base.msPerPost).toFixed(2)}×`,
    );
  }
}
