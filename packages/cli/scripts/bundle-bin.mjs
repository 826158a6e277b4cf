#!/usr/bin/env node
// Runs after `tsc` in @md2wx/cli's build: replaces tsc's `dist/bin.js` with an esbuild bundle of the command
// tree and everything it loads, split at each lazy `import()` so a command still loads only what it uses.
//
// Why: on Node 20 each ES module costs a resolve, a read and a compile, and a re-run of an unchanged post
// loads ~130 of them (got alone is ~100 files); one bundle of the same code starts in about half the time
// (bench/cli-startup/rerun.ts). `dist/index.js` (the library entry) stays tsc's output, unbundled.
//
// Left outside the bundle, and so declared as @md2wx/cli dependencies:
// - sharp (a native addon with its platform package), heic-decode (libheif's wasm build) and @md2wx/diagrams
//   (playwright-core, and mermaid's browser build read from node_modules at run time). @md2wx/diagrams imports
//   no other @md2wx package, so there is still one copy of the WeChat client: the bundled one.
// - what our sources load with `createRequire(import.meta.url)(…)` at run time, which esbuild cannot follow:
//   mathjax-full (its CommonJS tree, loaded synchronously) and fast-xml-parser (WeCom callbacks only).
//   A `require('../package.json')` beside them reads @md2wx/cli's manifest: the chunks sit in dist/, as
//   tsc's output of every package does, and the packages are versioned together.
//
// Left out altogether: http2-wrapper, which got imports at start-up but uses only with `http2: true` (never set
// by md2wx; WeChat answers HTTP/1.1). scripts/http2-wrapper-stub.mjs stands in and says so if it is ever called.
// test/cli-bundle.test.ts checks both this and the require() of node:http(s) below.
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

export const EXTERNAL = ['sharp', 'heic-decode', '@md2wx/diagrams', 'mathjax-full', 'fast-xml-parser'];

/**
 * `import http from 'node:http'` (got does so) makes Node build the module's ES facade, which reads every
 * export; on Node ≥ 22 `http` has lazy getters (WebSocket, …) that load undici: 38 ms of a 70 ms start on
 * Node 24, for a client that never uses them. `require('node:http')` reads none. So the bundle takes these
 * built-ins through require(), re-exporting the plain values (never a getter) for named imports.
 */
const builtinsThroughRequire = {
  name: 'builtins-through-require',
  setup(b) {
    b.onResolve({ filter: /^(?:node:)?https?$/ }, (args) =>
      args.kind === 'import-statement'
        ? { path: args.path.replace(/^node:/, ''), namespace: 'builtin-require' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin-require' }, ({ path }) => {
      const descriptors = Object.getOwnPropertyDescriptors(createRequire(import.meta.url)(`node:${path}`));
      const names = Object.entries(descriptors)
        .filter(([name, d]) => 'value' in d && name !== 'default' && /^[A-Za-z_$][\w$]*$/.test(name))
        .map(([name]) => name);
      return {
        contents: `const m = require('node:${path}');\nexport default m;\nexport const { ${names.join(', ')} } = m;\n`,
        loader: 'js',
      };
    });
  },
};

await build({
  entryPoints: { bin: 'dist/bin.js' },
  outdir: 'dist',
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  external: EXTERNAL,
  plugins: [builtinsThroughRequire],
  alias: { 'http2-wrapper': './scripts/http2-wrapper-stub.mjs' },
  // Bundled CommonJS (commander, got's helpers, …) calls require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __md2wxRequire } from 'node:module';\nconst require = __md2wxRequire(import.meta.url);",
  },
  chunkNames: 'bin-[name]-[hash]',
  legalComments: 'linked',
  logLevel: 'warning',
});
// tsc's map described the file this bundle replaced.
rmSync('dist/bin.js.map', { force: true });
