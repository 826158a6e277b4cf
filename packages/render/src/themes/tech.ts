import { calloutSheet } from './callouts.js';
import { oneDark } from './highlight.js';

/** For technical writing: blue accent, numbered-looking headings, dark code blocks with a window bar look. */
export const techTheme = `
:root {
  --text: #333333;
  --accent: #0f6fec;
  --muted: #8c8c8c;
  font-family: -apple-system, BlinkMacSystemFont, "PingFang SC", "Microsoft YaHei", "Segoe UI", Roboto, sans-serif;
  font-size: 15px;
  line-height: 1.8;
  color: var(--text);
  text-align: left;
  word-break: break-word;
}
p { margin: 0 0 1em; }
h1, h2, h3, h4, h5, h6 { margin: 1.5em 0 0.75em; font-weight: bold; line-height: 1.4; color: #1f2328; }
h1 { font-size: 1.5em; }
h2 { font-size: 1.3em; display: table; padding: 0.2em 0.8em; color: #ffffff; background-color: var(--accent); border-radius: 4px; }
h3 { font-size: 1.15em; color: var(--accent); }
h3::before { content: "▍"; color: var(--accent); }
h4 { font-size: 1.05em; }
strong, b { color: var(--accent); font-weight: bold; }
blockquote { margin: 0 0 1em; padding: 0.6em 1em; border-left: 4px solid var(--accent); background-color: #f3f7fd; color: #555555; }
blockquote p { margin: 0 0 0.4em; }
ul, ol { margin: 0 0 1em; padding-left: 1.5em; }
li { margin: 0.2em 0; }
hr { margin: 1.6em 0; border: 0; border-top: 1px dashed #cccccc; }
.link, .wx-link { color: var(--accent); }
.link-ref, .footnote-ref { color: var(--accent); font-size: 0.75em; line-height: 0; }
.code-inline { font-family: "JetBrains Mono", Menlo, Consolas, monospace; font-size: 0.88em; padding: 0.1em 0.4em; border-radius: 4px; background-color: #eef2f8; color: #c7254e; }
.code-block { margin: 0 0 1em; border-radius: 8px; background-color: #282c34; }
.code { padding: 0.9em 1em; font-family: "JetBrains Mono", Menlo, Consolas, monospace; font-size: 12.5px; line-height: 1.65; color: #abb2bf; }
.table-wrap { margin: 0 0 1em; }
table { border-collapse: collapse; min-width: 100%; font-size: 13px; }
th, td { padding: 0.45em 0.7em; border: 1px solid #d0d7de; word-break: keep-all; }
th { background-color: #eef2f8; color: #1f2328; font-weight: bold; }
.image { margin: 1em 0; text-align: center; }
.caption { margin-top: 0.3em; font-size: 12px; color: var(--muted); }
.block-equation { margin: 1em 0; }
.footnotes, .references { margin-top: 2em; padding-top: 0.8em; border-top: 1px solid #eeeeee; font-size: 12px; color: var(--muted); }
.footnotes-title, .references-title { margin: 0 0 0.5em; font-size: 13px; color: #555555; }
.footnote, .reference { margin: 0 0 0.3em; }
.reference-url { word-break: break-all; }
${calloutSheet}${oneDark}`;
