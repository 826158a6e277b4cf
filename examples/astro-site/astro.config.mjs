// @ts-check
// Every Markdown image of the site is uploaded to WeChat (media/uploadimg) by @md2wx/remark-wechat-images and
// its URL rewritten to the mmbiz.qpic.cn one, so the built pages can be pasted into a WeChat article as they
// are. The state file remembers each upload: commit it, and later builds (yours or CI's) upload only new or
// changed images.
import { fileURLToPath } from 'node:url';
import remarkWechatImages, { stateFileCache, wechatUploader } from '@md2wx/remark-wechat-images';
import { createOfficialAccountClient } from '@md2wx/wechat';
import { defineConfig } from 'astro/config';
import md2wxDrafts from './md2wx-drafts.mjs';

const root = fileURLToPath(new URL('.', import.meta.url));
// Same variable names as the md2wx CLI. WECHAT_BASE_URL is only for a fake server (the md2wx sandbox).
const { WECHAT_APP_ID: appId, WECHAT_APP_SECRET: appSecret, WECHAT_BASE_URL: baseUrl } = process.env;

/** @type {import('astro').AstroUserConfig['markdown']} */
let markdown = {};
if (appId && appSecret) {
  const client = createOfficialAccountClient({ appId, appSecret, ...(baseUrl ? { baseUrl } : {}) });
  markdown = {
    remarkPlugins: [
      [
        remarkWechatImages,
        {
          uploader: wechatUploader(client),
          cache: stateFileCache({ path: `${root}.md2wx/images.json` }),
          // Posts in src/pages/posts/ use images from src/images/: let them leave the post's folder.
          rootDir: root,
        },
      ],
    ],
  };
} else {
  console.warn('md2wx: WECHAT_APP_ID / WECHAT_APP_SECRET not set; images stay local (nothing is uploaded)');
}

// Optional: MD2WX_ASTRO_DRAFTS=1 also pushes changed posts as drafts at the end of the build (md2wx-drafts.mjs).
export default defineConfig({ markdown, integrations: [md2wxDrafts()] });
