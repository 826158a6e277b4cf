import { describe, expect, it } from 'vitest';
import { lowestQualityReaching } from '../src/encode.js';

/**
 * A synthetic encoder: bytes grow by 4 % a quality step from `bytesAt60`, and −log(1 − SSIM) by
 * `slope` a step from `closenessAt60` — the shapes the searches assume, so the counts below are the
 * search's own, not an image's. The "encoding" carries its quality, which the scorer reads back.
 */
function curve(options: { bytesAt60: number; closenessAt60: number; slope: number }) {
  const encoded: number[] = [];
  const encode = async (quality: number) => {
    encoded.push(quality);
    return Buffer.alloc(Math.round(options.bytesAt60 * 1.04 ** (quality - 60)), quality);
  };
  const score = async (data: Buffer) => {
    const quality = data[0] as number;
    return 1 - Math.exp(-(options.closenessAt60 + options.slope * (quality - 60)));
  };
  return { encode, score, encoded, slope: options.slope };
}

const closeness = (ssim: number) => -Math.log(1 - ssim);
const TARGET = 0.9993;
/** A JPEG-style search (qualities 60–90) under a 20 000 B budget, which runs out near q77. */
const JPEG_SEARCH = { target: TARGET, maxBytes: 20_000, min: 60, max: 90, start: 60, step: 20 };
/** A palette-style search over steps 0–7, starting at 0, then 3. */
const PALETTE_SEARCH = { target: TARGET, maxBytes: 1e9, min: 0, max: 7, start: 0, step: 3 };
/** SSIM `at60` at q60, reaching {@link TARGET} first at `reachedAt`. */
const slopeTo = (at60: number, reachedAt: number) => (closeness(TARGET) - closeness(at60)) / (reachedAt - 60);

describe('lowestQualityReaching', () => {
  it('stops at a miss on the budget’s estimated crossing instead of creeping up to it', async () => {
    const { encode, score, encoded } = curve({
      bytesAt60: 10_000,
      closenessAt60: closeness(0.998),
      slope: slopeTo(0.998, 90),
    });
    const found = await lowestQualityReaching(encode, score, { ...JPEG_SEARCH, tolerance: 1 });
    expect(found.data).toBeUndefined();
    // 60 (miss), 80 (over budget), 77 (the budget's crossing: a miss, so nothing under budget reaches).
    expect(encoded).toEqual([60, 80, 77]);
  });

  it('still finds an answer that lies just under the budget', async () => {
    // Target first reached at q76, budget up to q77: the capped guess hits, and the search goes on down.
    const { encode, score } = curve({
      bytesAt60: 10_000,
      closenessAt60: closeness(0.998),
      slope: slopeTo(0.998, 76),
    });
    const found = await lowestQualityReaching(encode, score, JPEG_SEARCH);
    expect(found.data).toBeDefined();
    expect(found.data && found.quality).toBe(76);
  });

  it('with a tolerance, stops one step above the lowest quality that reaches the target', async () => {
    // The target is first reached at step 2.
    const { encode, score, encoded } = curve({
      bytesAt60: 10_000,
      closenessAt60: closeness(0.999),
      slope: slopeTo(0.999, 62),
    });
    const steps = (step: number) => encode(step + 60);
    const exact = await lowestQualityReaching(steps, score, PALETTE_SEARCH);
    expect(exact.data && exact.quality).toBe(2);
    const exactEncodes = encoded.length;
    encoded.length = 0;
    const tolerant = await lowestQualityReaching(steps, score, { ...PALETTE_SEARCH, tolerance: 1 });
    expect(tolerant.data && tolerant.quality).toBeOneOf([2, 3]);
    expect(encoded.length).toBeLessThan(exactEncodes);
  });

  it('with a slope, jumps from its first encode to the crossing the slope predicts', async () => {
    // The target is first reached at q75; the true slope predicts it from either end of 60–90.
    const shape = { bytesAt60: 10_000, closenessAt60: closeness(0.998), slope: slopeTo(0.998, 75) };
    const search = { target: TARGET, maxBytes: 1e9, min: 60, max: 90, slope: shape.slope };
    const fromHit = curve(shape);
    const downwards = await lowestQualityReaching(fromHit.encode, fromHit.score, { ...search, start: 90 });
    expect(downwards.data && downwards.quality).toBe(75);
    // 90 (hit), 75 (the predicted crossing: hit), 74 (miss: 75 is the lowest).
    expect(fromHit.encoded).toEqual([90, 75, 74]);
    const fromMiss = curve(shape);
    const upwards = await lowestQualityReaching(fromMiss.encode, fromMiss.score, {
      ...search,
      start: 60,
      overshoot: 1,
    });
    expect(upwards.data && upwards.quality).toBe(75);
    // 60 (miss), 76 (one past the crossing: hit), then the line through both: 75 (hit), 74 (miss).
    expect(fromMiss.encoded).toEqual([60, 76, 75, 74]);
    // Without the slope, the fixed step creeps: 90, 80, then the line through both.
    const stepped = curve(shape);
    await lowestQualityReaching(stepped.encode, stepped.score, {
      ...search,
      slope: undefined,
      start: 90,
      step: 10,
    });
    expect(stepped.encoded.length).toBeGreaterThan(fromHit.encoded.length);
  });

  it('with a bytes slope, stops after one encode when the target lies clearly over the budget', async () => {
    // Bytes grow 4 % a step from 10 000 B at q60: a 12 000 B budget runs out past q64.
    const search = {
      target: TARGET,
      maxBytes: 12_000,
      min: 60,
      max: 90,
      start: 60,
      bytesSlope: Math.log(1.04),
    };
    const far = curve({ bytesAt60: 10_000, closenessAt60: closeness(0.998), slope: slopeTo(0.998, 80) });
    const farSearch = { ...search, slope: far.slope };
    expect((await lowestQualityReaching(far.encode, far.score, farSearch)).data).toBeUndefined();
    expect(far.encoded).toEqual([60]);
    const unforeseen = curve({
      bytesAt60: 10_000,
      closenessAt60: closeness(0.998),
      slope: slopeTo(0.998, 80),
    });
    await lowestQualityReaching(unforeseen.encode, unforeseen.score, { ...farSearch, bytesSlope: undefined });
    expect(unforeseen.encoded.length).toBeGreaterThan(1);
    // An answer under the budget is still encoded and found.
    const near = curve({ bytesAt60: 10_000, closenessAt60: closeness(0.998), slope: slopeTo(0.998, 63) });
    const found = await lowestQualityReaching(near.encode, near.score, { ...search, slope: near.slope });
    expect(found.data && found.quality).toBe(63);
  });
});
