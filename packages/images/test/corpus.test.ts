import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { corpusDir, requireCorpus } from '@md2wx/testkit';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ImageError, type ImageTarget, probeImage, processImage } from '../src/index.js';

const BUDGET: Record<ImageTarget, number> = {
  body: 1_000_000,
  animated: 10_000_000,
  cover: 1_000_000,
  thumb: 64_000,
};

function files(dir: string, keep: (name: string) => boolean, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) files(file, keep, out);
    else if (keep(name)) out.push(file);
  }
  return out;
}

interface Outcome {
  file: string;
  converted?: { target: ImageTarget; bytes: number; width: number; format: string; frames: number };
  rejected?: string;
}

/** Convert one file for the target its content calls for, or record the ImageError; anything else is a bug. */
async function convert(file: string, root: string): Promise<Outcome> {
  const name = path.relative(root, file);
  const data = readFileSync(file);
  try {
    const probe = await probeImage(data, { source: name });
    const target: ImageTarget = probe.animated ? 'animated' : 'body';
    const result = await processImage(data, { target, source: name });
    const written = await sharp(result.data, { animated: true }).metadata();
    expect(written.format).toBe(result.info.format);
    expect(written.pages ?? 1).toBe(result.info.frames);
    if (probe.animated) expect(result.info.frames).toBeGreaterThan(1);
    return {
      file: name,
      converted: {
        target,
        bytes: result.info.bytes,
        width: result.info.width,
        format: result.info.format,
        frames: result.info.frames,
      },
    };
  } catch (error) {
    if (!(error instanceof ImageError))
      throw new Error(`${name}: crashed with a non-ImageError: ${String(error)}`);
    expect(error.message.startsWith(`${name}: `)).toBe(true);
    expect(error.message.length).toBeGreaterThan(name.length + 30);
    return { file: name, rejected: error.code };
  }
}

describe.skipIf(!requireCorpus())('every corpus image is converted within budget or rejected clearly', () => {
  const root = corpusDir();

  it('images/: every file', { timeout: 180_000 }, async () => {
    const list = files(path.join(root, 'images'), () => true);
    const outcomes = await Promise.all(list.map((file) => convert(file, root)));
    for (const outcome of outcomes) {
      if (!outcome.converted) continue;
      const { target, bytes, width, format } = outcome.converted;
      expect(bytes, outcome.file).toBeLessThan(BUDGET[target]);
      expect(target === 'animated' ? ['gif'] : ['jpeg', 'png'], outcome.file).toContain(format);
      if (target === 'body') expect(width, outcome.file).toBeLessThanOrEqual(1080);
    }
    const rejected = Object.fromEntries(
      outcomes.filter((o) => o.rejected).map((o) => [path.basename(o.file), o.rejected]),
    );
    // The broken files are refused for the right reason; any other file is converted or refused with an ImageError.
    expect(rejected).toMatchObject({
      'empty-0-bytes.png': 'empty',
      'image-size-invalid-29-bytes.png': 'corrupt',
      'sharp-corrupt-header.jpg': 'corrupt',
      'sharp-truncated-10000-bytes.jpg': 'truncated',
      'sharp-truncated-10000-bytes.png': 'truncated',
      'image-size_sample-animated.avif': 'unsupported',
    });
    for (const name of [
      'nikon-d3100.jpg',
      'iphone-13-pro-max_orient6.HEIC',
      'bmpsuite-rgb24.bmp',
      'pingcap-chart.svg',
    ]) {
      expect(rejected[name], name).toBeUndefined();
    }
  });

  it('markdown/: every local image of the corpus posts', { timeout: 180_000 }, async () => {
    const list = files(path.join(root, 'markdown'), (name) =>
      /\.(png|jpe?g|gif|webp|svg|bmp|avif|heic)$/i.test(name),
    );
    expect(list.length).toBeGreaterThan(90);
    const outcomes = await Promise.all(list.map((file) => convert(file, root)));
    const rejected = outcomes.filter((o) => o.rejected);
    expect(rejected, JSON.stringify(rejected)).toEqual([]);
    for (const outcome of outcomes) {
      const converted = outcome.converted;
      if (!converted) continue;
      expect(converted.bytes, outcome.file).toBeLessThan(BUDGET[converted.target]);
    }
    // The pingcap posts' animated GIFs stay animated.
    expect(outcomes.filter((o) => o.converted?.target === 'animated').length).toBeGreaterThanOrEqual(4);
  });
});
