import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRenderer } from '@md2wx/render';
import { corpusDir } from '@md2wx/testkit';
import { corpusPosts } from '../../packages/render/test/corpus-posts.ts';
const out = process.argv[2] as string;
mkdirSync(out, { recursive: true });
const r = createRenderer({ cacheSize: 0 });
for (const p of corpusPosts()) {
  r.renderSync(readFileSync(path.join(corpusDir(), p), 'utf8'), { filePath: p });
  const res = r.renderSync(readFileSync(path.join(corpusDir(), p), 'utf8'), { filePath: p });
  writeFileSync(
    path.join(out, p.replace(/\//g, '__')),
    `${res.html}\n${JSON.stringify(res.meta)}\n${JSON.stringify(res.messages)}`,
  );
}
