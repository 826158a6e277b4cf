/**
 * Where the re-run of an unchanged post spends its time: the built CLI run once under `--cpu-prof` (after a
 * first run that uploaded and a second that filled the result cache), then the profile summed per function,
 * inclusive (a frame counted once per sample however deep it recurs), top rows printed. The figures behind the
 * "why 1.5× the floor is out of reach" paragraph of bench/README.md. Milliseconds of the profile, which runs a
 * little slower than an unprofiled start.
 *
 *   npx tsx --conditions=@md2wx/source bench/cli-startup/profile-rerun.ts [--top=40]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bin, openSandboxPost } from './sandbox-post.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

const top = Number(process.argv.find((a) => a.startsWith('--top='))?.slice(6) ?? 40);
const post = await openSandboxPost();
const dir = mkdtempSync(path.join(tmpdir(), 'md2wx-profile-'));
try {
  for (let i = 0; i < 2; i++) spawnSync(process.execPath, [bin, 'post.md', '--draft'], { cwd: post.work });
  const run = spawnSync(
    process.execPath,
    ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=200', bin, 'post.md', '--draft'],
    { cwd: post.work, encoding: 'utf8' },
  );
  if (!/unchanged since the last run/.test(run.stderr + run.stdout))
    throw new Error(`the profiled run was not served from the result cache:\n${run.stderr}`);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('node wrote no profile');
  const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
    startTime: number;
    endTime: number;
  };
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  for (const [i, id] of profile.samples.entries())
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const { functionName, url, lineNumber } = (nodes.get(cur) as ProfileNode).callFrame;
      const where = url.replace(/.*node_modules\//, '').replace(/.*packages\/cli\/dist\//, 'dist/');
      const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  console.log(
    `re-run of examples/hello under --cpu-prof: ${((profile.endTime - profile.startTime) / 1000).toFixed(1)} ms (Node ${process.versions.node})`,
  );
  console.log('inclusive ms  function  where');
  for (const [key, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${(us / 1000).toFixed(1).padStart(12)}  ${key}`);
} finally {
  post.close();
  rmSync(dir, { recursive: true, force: true });
}
