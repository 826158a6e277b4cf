/**
 * @md2wx/remark-wechat-images inside a small static-site-style build: every post in posts/ is rendered to
 * out/<name>.html with its images on WeChat, plus an out/index.html listing them.
 *
 *   npx tsx --conditions=@md2wx/source examples/static-site/build.ts [--sandbox]
 *
 * One processor renders all posts concurrently: they share the plugin's concurrency limit and its dedupe
 * cache, so an image used by several posts is uploaded once. With a real account the cache is the state
 * file posts/.md2wx-images.json — commit it, and CI builds upload only new images.
 *
 * Where images go: `--sandbox` → an in-process fake WeChat server; `WECHAT_APP_ID` + `WECHAT_APP_SECRET` →
 * the real Official Account; otherwise a dry run that compresses images into out/images.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import remarkWechatImages, {
  type ImageCache,
  memoryCache,
  type ProgressTotals,
  RemarkWechatImagesError,
  stateFileCache,
  type WechatImageUploader,
  wechatUploader,
} from '@md2wx/remark-wechat-images';
import { DEFAULT_ACCOUNT, startSandbox } from '@md2wx/sandbox';
import { createOfficialAccountClient } from '@md2wx/wechat';
import rehypeStringify from 'rehype-stringify';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';
import { VFile } from 'vfile';

const here = path.dirname(fileURLToPath(import.meta.url));
const postsDir = path.join(here, 'posts');
const outDir = path.join(here, 'out');
const { values } = parseArgs({ options: { sandbox: { type: 'boolean' } } });

// Same variable names as the md2wx CLI.
const { WECHAT_APP_ID: appId, WECHAT_APP_SECRET: appSecret } = process.env;
let uploader: WechatImageUploader | undefined;
let cache: ImageCache | undefined;
let stop = async () => {};
if (values.sandbox) {
  const sandbox = await startSandbox();
  stop = () => sandbox.close();
  uploader = wechatUploader(createOfficialAccountClient({ ...DEFAULT_ACCOUNT, baseUrl: sandbox.url }));
  // Sandbox URLs die with the sandbox: remember them for this build only.
  cache = memoryCache();
  console.error(`uploading to the sandbox at ${sandbox.url}`);
} else if (appId && appSecret) {
  uploader = wechatUploader(
    createOfficialAccountClient({
      appId,
      appSecret,
    }),
  );
  cache = stateFileCache({ path: path.join(postsDir, '.md2wx-images.json') });
  console.error(`uploading to WeChat account ${appId}`);
} else {
  console.error('dry run: no --sandbox and no WECHAT_APP_ID/WECHAT_APP_SECRET; images go to out/images');
}

const perPost = new Map<string, ProgressTotals>();
const processor = unified()
  .use(remarkParse)
  .use(remarkWechatImages, {
    uploader,
    cache,
    // Dry run: pages are written to out/, next to out/images.
    outDir: path.join(outDir, 'images'),
    publicPath: 'images',
    onProgress: (event) => {
      if (event.file) perPost.set(event.file, event.totals);
    },
  })
  .use(remarkRehype, { allowDangerousHtml: true })
  .use(rehypeStringify, { allowDangerousHtml: true });

const names = (await readdir(postsDir)).filter((name) => name.endsWith('.md')).sort();
await mkdir(outDir, { recursive: true });
let failed = 0;
try {
  const pages = await Promise.all(
    names.map(async (name) => {
      const markdown = await readFile(path.join(postsDir, name), 'utf8');
      const file = new VFile({ path: path.join(postsDir, name), value: markdown });
      try {
        const html = String(await processor.process(file));
        const title = /^#\s+(.+)$/m.exec(markdown)?.[1] ?? name;
        const page = name.replace(/\.md$/, '.html');
        await writeFile(path.join(outDir, page), layout(title, html));
        const t = perPost.get(file.path);
        console.error(
          `${name}: ${t?.images ?? 0} images — ${t?.uploaded ?? 0} uploaded, ${t?.cached ?? 0} from cache, ` +
            `${t?.written ?? 0} written, ${((t?.bytesSaved ?? 0) / 1024).toFixed(0)} KiB saved`,
        );
        return { title, page };
      } catch (error) {
        if (!(error instanceof RemarkWechatImagesError)) throw error;
        for (const message of file.messages) console.error(String(message));
        failed++;
        return undefined;
      }
    }),
  );
  const links = pages.flatMap((p) => (p ? [`<li><a href="${p.page}">${p.title}</a></li>`] : []));
  await writeFile(
    path.join(outDir, 'index.html'),
    layout('Posts', `<h1>Posts</h1>\n<ul>\n${links.join('\n')}\n</ul>`),
  );
  console.error(`wrote ${links.length} page(s) and index.html to ${path.relative(process.cwd(), outDir)}`);
} finally {
  await stop();
}
if (failed > 0) process.exitCode = 1;

function layout(title: string, body: string): string {
  return `<!doctype html>\n<html lang="zh-CN">\n<head><meta charset="utf-8"><title>${title}</title></head>\n<body>\n${body}\n</body>\n</html>\n`;
}
