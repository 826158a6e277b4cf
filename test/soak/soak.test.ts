// @module-tag redis: the short soak runs with the file store and with a real redis-server.
/**
 * The short soak inside `npm test` (the long one is `npm run soak`): a few processes, one faulty round with a
 * kill -9 and a revocation, then a clean round, with the file store and with a real redis-server.
 */
import { requireCorpus } from '@md2wx/testkit';
import { describe, expect, it } from 'vitest';
import { formatFigures, LOCK_BOUND_MS, runSoak } from './soak.js';

describe.skipIf(!requireCorpus())('soak (short)', () => {
  it('every post ends as exactly one draft, with no duplicate, no bad state and no secret anywhere', async () => {
    const figures = await runSoak({
      processes: 4,
      rounds: 1,
      stores: ['file', 'redis'],
      faultRate: 0.1,
      killsPerRound: 1,
      revocationsPerRound: 1,
      maxSeconds: 60,
      processTimeoutMs: 90_000,
      seed: 19,
    });
    const text = formatFigures(figures);
    for (const f of figures) {
      expect(f.exactlyOneDraft, text).toBe(f.posts);
      expect(f.duplicateDrafts, text).toBe(0);
      expect(f.duplicateUploadsAnswerKept, text).toBe(0);
      expect(f.invalidStateFiles + f.disagreeingEntries, text).toBe(0);
      expect(f.longestLockWaitMs, text).toBeLessThanOrEqual(LOCK_BOUND_MS);
      expect(f.secretsFound, text).toBe(0);
    }
  }, 300_000);
});
