/**
 * `npm run soak`: the long soak (20 processes, bounded rounds, file store then Redis). Prints the figures and
 * exits 1 when a target is missed. Options by environment: SOAK_ROUNDS, SOAK_PROCESSES, SOAK_SECONDS, SOAK_SEED.
 */
import { formatFigures, LOCK_BOUND_MS, runSoak } from './soak.js';

const number = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

const figures = await runSoak({
  processes: number('SOAK_PROCESSES', 20),
  rounds: number('SOAK_ROUNDS', 3),
  stores: ['file', 'redis'],
  faultRate: 0.1,
  killsPerRound: 3,
  revocationsPerRound: 2,
  maxSeconds: number('SOAK_SECONDS', 240),
  processTimeoutMs: 180_000,
  seed: number('SOAK_SEED', Date.now() % 100_000),
  log: (line) => console.log(line),
});
console.log(formatFigures(figures));
const missed = figures.flatMap((f) => [
  ...(f.exactlyOneDraft === f.posts ? [] : [`${f.store}: posts not ending as exactly one draft`]),
  ...(f.duplicateDrafts === 0 ? [] : [`${f.store}: duplicate drafts`]),
  ...(f.duplicateUploadsAnswerKept === 0 ? [] : [`${f.store}: duplicate uploads whose answer was not lost`]),
  ...(f.invalidStateFiles + f.disagreeingEntries === 0 ? [] : [`${f.store}: invalid or disagreeing state`]),
  ...(f.longestLockWaitMs <= LOCK_BOUND_MS ? [] : [`${f.store}: a lock wait over its bound`]),
  ...(f.secretsFound === 0 ? [] : [`${f.store}: tokens or secrets in output or files`]),
]);
if (missed.length > 0) {
  console.log(`targets missed: ${missed.join('; ')}`);
  process.exitCode = 1;
}
