/**
 * What packages/cli/scripts/bundle-bin.mjs promises about the built CLI's start-up (issue 17), read off the
 * bundle the e2e global setup builds: `node:http`/`node:https` come through require() (an ES import of
 * `node:http` makes Node ≥ 22 load undici, ~38 ms of a start), and got's unused HTTP/2 wrapper is left out.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '@md2wx/testkit';
import { describe, expect, it } from 'vitest';

const dist = path.join(repoRoot, 'packages/cli/dist');
const bundleFiles = async () =>
  (await readdir(dist)).filter((f) => f === 'bin.js' || (f.startsWith('bin-') && f.endsWith('.js')));

describe('the CLI bundle', () => {
  it('imports node:http and node:https through require(), never as ES modules', async () => {
    const files = await bundleFiles();
    expect(files.length).toBeGreaterThan(5);
    let required = 0;
    for (const file of files) {
      const code = await readFile(path.join(dist, file), 'utf8');
      expect(code, file).not.toMatch(/^\s*import\b[^;]*\bfrom\s*["'](?:node:)?https?["']/m);
      expect(code, file).not.toMatch(/\bimport\(\s*["'](?:node:)?https?["']\s*\)/);
      required += [...code.matchAll(/__require\("node:https?"\)/g)].length;
    }
    // got's client and the sandbox/preview servers all need one of them.
    expect(required).toBeGreaterThanOrEqual(2);
  });

  it('leaves http2-wrapper out: got loads the stub that names the missing option', async () => {
    let stub = 0;
    for (const file of await bundleFiles()) {
      const code = await readFile(path.join(dist, file), 'utf8');
      expect(code, file).not.toContain('node_modules/http2-wrapper/');
      if (code.includes("got's `http2` option is not available in the bundled CLI")) stub++;
    }
    expect(stub).toBe(1);
  });
});
