import { calloutSheet } from './callouts.js';
import { githubLight } from './highlight.js';

/** Close to WeChat's own article typography: 16 px system font, 1.75 line height, green accent. */
export const wechatTheme = `
:root {
  --text: #3f3f3f;
  --accent: #07c160;
  --muted: #888888;
  --code-bg: #f6f8fa;
  --border: #e5e5e5;
  font-family: -apple-system, BlinkMacSystemFont, "Helvetica Neue", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei UI", "Microsoft YaHei", Arial, sans-serif;
  font-size: 16px;
  line-height: 1.75;
  color: var(--text);
  letter-spacing: 0.5px;
  word-break: break-word;
  text-align: left;
}
p { margin: 0 0 1.2em; }
h1, h2, h3, h4, h5, h6 { margin: 1.6em 0 0.8em; font-weight: bold; line-height: 1.4; color: #222222; }
h1 { font-size: 1.4em; text-align: center; }
h2 { font-size: 1.25em; padding-bottom: 0.3em; border-bottom: 1px solid var(--border); }
h3 { font-size: 1.15em; padding-left: 0.6em; border-left: 3px solid var(--accent); }
h4 { font-size: 1.05em; }
h5, h6 { font-size: 1em; color: var(--muted); }
strong, b { font-weight: bold; color: #222222; }
em { font-style: italic; }
del, s { text-decoration: line-through; color: var(--muted); }
blockquote { margin: 0 0 1.2em; padding: 0.8em 1em; border-left: 3px solid var(--accent); background-color: #f7f7f7; color: #666666; }
blockquote p { margin: 0 0 0.5em; }
blockquote p:last-child { margin-bottom: 0; }
ul, ol { margin: 0 0 1.2em; padding-left: 1.6em; }
li { margin: 0.25em 0; }
.task-item { margin-left: -1.2em; }
hr { margin: 2em 0; border: 0; border-top: 1px solid var(--border); }
.link { color: #576b95; }
.wx-link { color: #576b95; text-decoration: none; }
.link-ref, .footnote-ref { color: #576b95; font-size: 0.75em; line-height: 0; }
.code-inline { font-family: Menlo, Consolas, Monaco, "Courier New", monospace; font-size: 0.9em; padding: 0.1em 0.35em; margin: 0 0.15em; border-radius: 3px; background-color: rgba(27, 31, 35, 0.05); color: #d14; }
.code-block { margin: 0 0 1.2em; padding: 0; border-radius: 6px; background-color: var(--code-bg); border: 1px solid #eaecef; }
.code { padding: 1em; font-family: Menlo, Consolas, Monaco, "Courier New", monospace; font-size: 13px; line-height: 1.6; color: #24292e; }
.table-wrap { margin: 0 0 1.2em; }
table { border-collapse: collapse; min-width: 100%; font-size: 14px; }
th, td { padding: 0.4em 0.6em; border: 1px solid #dfe2e5; word-break: keep-all; }
th { font-weight: bold; background-color: #f6f8fa; }
tr:nth-child(2n) td { background-color: #fafbfc; }
.image { margin: 1em 0; text-align: center; }
.caption { margin-top: 0.4em; font-size: 13px; color: var(--muted); text-align: center; }
.block-equation { margin: 1em 0; }
.footnotes, .references { margin-top: 2em; font-size: 13px; color: var(--muted); }
.footnotes-title, .references-title { margin: 0 0 0.6em; font-size: 14px; color: #666666; }
.footnote, .reference { margin: 0 0 0.4em; line-height: 1.6; }
.reference-url { word-break: break-all; }
${calloutSheet}${githubLight}`;
