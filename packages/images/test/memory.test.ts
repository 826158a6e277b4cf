import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { requireCorpus } from '@md2wx/testkit';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));

describe.skipIf(!requireCorpus())('bounded memory', () => {
  it('a post with 40 photos of 12–18 MP stays under 500 MB peak RSS', { timeout: 150_000 }, async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--conditions=@md2wx/source', path.join(here, 'rss-child.ts')],
      { cwd: path.resolve(here, '..'), env: process.env, maxBuffer: 1 << 20 },
    );
    const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
      peakRssMb: number;
      images: number;
      maxBytes: number;
    };
    expect(result.images).toBe(40);
    expect(result.maxBytes).toBeLessThan(1_000_000);
    expect(result.peakRssMb).toBeLessThan(500);
  });
});
