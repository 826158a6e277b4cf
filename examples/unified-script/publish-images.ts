/**
 * @md2wx/remark-wechat-images inside a plain unified script: read one Markdown post, move its images onto
 * WeChat, write the rewritten Markdown to out/<name>.md.
 *
 *   npx tsx --conditions=@md2wx/source examples/unified-script/publish-images.ts [post.md] [--sandbox]
 *
 * Where images go:
 * - `--sandbox`: an in-process fake WeChat server (@md2wx/sandbox); nothing leaves the machine.
 * - `WECHAT_APP_ID` + `WECHAT_APP_SECRET` set: the real Official Account (images become permanent).
 * - otherwise: a dry run — images are compressed into out/images and the Markdown points at them.
 * Uploads are remembered in out/.md2wx-images.json: run it twice and the second run uploads nothing.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import remarkWechatImages, {
  type ProgressEvent,
  RemarkWechatImagesError,
  stateFileCache,
  type WechatImageUploader,
  wechatUploader,
} from '@md2wx/remark-wechat-images';
import { DEFAULT_ACCOUNT, startSandbox } from '@md2wx/sandbox';
import { createOfficialAccountClient } from '@md2wx/wechat';
import remarkParse from 'remark-parse';
import remarkStringify from 'remark-stringify';
import { unified } from 'unified';
import { VFile } from 'vfile';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { sandbox: { type: 'boolean' } },
});
const postPath = path.resolve(positionals[0] ?? path.join(here, 'post.md'));
const outDir = path.join(here, 'out');

// Same variable names as the md2wx CLI.
const { WECHAT_APP_ID: appId, WECHAT_APP_SECRET: appSecret } = process.env;
let uploader: WechatImageUploader | undefined;
let stop = async () => {};
if (values.sandbox) {
  const sandbox = await startSandbox();
  stop = () => sandbox.close();
  const client = createOfficialAccountClient({ ...DEFAULT_ACCOUNT, baseUrl: sandbox.url });
  uploader = wechatUploader(client);
  console.error(`uploading to the sandbox at ${sandbox.url}`);
} else if (appId && appSecret) {
  const client = createOfficialAccountClient({
    appId,
    appSecret,
  });
  uploader = wechatUploader(client);
  console.error(`uploading to WeChat account ${appId}`);
} else {
  console.error('dry run: no --sandbox and no WECHAT_APP_ID/WECHAT_APP_SECRET; images go to out/images');
}

const onProgress = (e: ProgressEvent) => {
  const t = e.totals;
  console.error(
    `[${t.uploaded + t.cached + t.skipped + t.written}/${t.images}] ${e.stage.padEnd(9)} ${e.src}${e.url ? ` → ${e.url}` : ''}`,
  );
};

const file = new VFile({ path: postPath, value: await readFile(postPath, 'utf8') });
try {
  const result = await unified()
    .use(remarkParse)
    .use(remarkWechatImages, {
      uploader,
      // A sandbox's URLs die with it, so only real uploads are remembered across runs.
      ...(uploader && !values.sandbox
        ? { cache: stateFileCache({ path: path.join(outDir, '.md2wx-images.json') }) }
        : {}),
      // Dry run: the rewritten post lives in out/, next to out/images.
      outDir: path.join(outDir, 'images'),
      publicPath: 'images',
      onProgress,
    })
    .use(remarkStringify)
    .process(file);
  await mkdir(outDir, { recursive: true });
  const target = path.join(outDir, path.basename(postPath));
  const markdown = String(result);
  await writeFile(target, markdown);
  for (const message of file.messages) console.error(String(message));
  console.error(`wrote ${path.relative(process.cwd(), target)}`);
} catch (error) {
  if (!(error instanceof RemarkWechatImagesError)) throw error;
  for (const message of file.messages) console.error(String(message));
  process.exitCode = 1;
} finally {
  await stop();
}
