/**
 * The tools' input and output schemas (zod, which the MCP SDK turns into the JSON Schema `tools/list` shows).
 * Output schemas make results `structuredContent` an agent can read field by field; names follow WeChat's
 * (media_id, publish_id, article_id) and mdast's positions (1-based line and column).
 */
import { z } from 'zod/v4';

const path = z
  .string()
  .min(1)
  .describe(
    "The post's Markdown file: relative to the server's root, or absolute inside it. Paths outside the root are refused.",
  );

const theme = z
  .string()
  .min(1)
  .optional()
  .describe(
    "Theme of @md2wx/render: `wechat` (default), `tech` or `minimal`; default: the config file's `theme`.",
  );

/** `render_post` and `lint_post`: a file, or Markdown text with an optional file path for its images. */
export const postSourceInput = {
  path: path
    .optional()
    .describe(
      "The post's Markdown file (relative to the server's root). With `markdown`: where that text would live, so its relative images resolve.",
    ),
  markdown: z
    .string()
    .optional()
    .describe('Markdown text to use instead of reading `path` (front matter allowed).'),
  theme,
};

/** `push_draft`: a post file (drafts are keyed by file, so a second push updates the same draft). */
export const pushDraftInput = { path, theme };

/** `publish_draft`: the post whose draft is submitted. */
export const publishDraftInput = {
  path,
  theme,
  timeout_seconds: z
    .number()
    .int()
    .min(1)
    .max(3600)
    .optional()
    .describe("How long to wait for WeChat's verdict (freepublish/get), seconds. Default 120."),
};

/** One lint or renderer message, with its place in the Markdown (renderer) or the rendered HTML (linter). */
export const diagnostic = z.object({
  rule: z.string().describe('Rule id, e.g. `img-on-mmbiz`, `wechat/field-limit`.'),
  severity: z.enum(['must', 'should']).describe('`must`: WeChat would break or refuse it; `should`: advice.'),
  message: z.string(),
  fix: z.string().optional().describe('What to change.'),
  in: z.enum(['markdown', 'html']).optional().describe('What `line`/`column` point into.'),
  line: z.number().int().optional().describe('1-based line.'),
  column: z.number().int().optional().describe('1-based column.'),
});

const images = z
  .object({
    images: z.number().int().describe('Unique image sources in the post.'),
    processed: z.number().int().describe('Images compressed locally.'),
    uploaded: z.number().int().describe('Images uploaded to WeChat by this call.'),
    cached: z.number().int().describe('Images already on WeChat (dedupe cache).'),
    bytesSaved: z.number().int().describe('Bytes saved by compression, summed over the images.'),
  })
  .describe("What happened to the post's images.");

const counts = {
  must: z
    .number()
    .int()
    .describe('Diagnostics of severity `must` (publish_draft refuses the post while any remain).'),
  should: z.number().int().describe('Diagnostics of severity `should`.'),
};

export const renderPostOutput = {
  file: z.string().optional().describe('The post file (absolute), when there is one.'),
  title: z
    .string()
    .describe('The article title (front matter `wechat_title`/`title`, else the first `# h1`).'),
  html: z
    .string()
    .describe(
      'The WeChat article body (draft/add `content`). Offline render: images are compressed locally and shown as data URIs, nothing is uploaded.',
    ),
  diagnostics: z.array(diagnostic),
  ...counts,
  images,
};

export const lintPostOutput = {
  file: z.string().optional().describe('The post file (absolute), when there is one.'),
  diagnostics: z.array(diagnostic),
  ...counts,
};

export const pushDraftOutput = {
  file: z.string().describe('The post file (absolute).'),
  title: z.string(),
  media_id: z.string().describe("The draft's media_id (the same on every later push of this post)."),
  action: z
    .enum(['created', 'updated', 'recreated'])
    .describe(
      '`recreated`: the recorded draft was gone (deleted or published in WeChat), so a new one was made.',
    ),
  reconciled: z
    .boolean()
    .describe('The draft was found in the draft box by its marker (the state file did not know it).'),
  diagnostics: z.array(diagnostic),
  ...counts,
  images,
};

export const publishDraftOutput = {
  file: z.string().describe('The post file (absolute).'),
  title: z.string(),
  media_id: z.string().describe('The draft that was submitted.'),
  publish_id: z.string().describe('freepublish/submit `publish_id`.'),
  status: z.literal('published').describe('freepublish/get `publish_status` 0.'),
  article_id: z.string().optional(),
  urls: z.array(z.string()).describe("The published articles' URLs."),
};

export type Diagnostic = z.infer<typeof diagnostic>;
export type RenderPostResult = z.infer<z.ZodObject<typeof renderPostOutput>>;
export type LintPostResult = z.infer<z.ZodObject<typeof lintPostOutput>>;
export type PushDraftResult = z.infer<z.ZodObject<typeof pushDraftOutput>>;
export type PublishDraftResult = z.infer<z.ZodObject<typeof publishDraftOutput>>;
