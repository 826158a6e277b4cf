import { calloutSheet } from './callouts.js';
import { githubLight } from './highlight.js';

/** Minimal: black on white, no colour accents, only spacing and weight. */
export const minimalTheme = `
:root { font-family: -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; font-size: 16px; line-height: 1.7; color: #333333; text-align: left; }
p { margin: 0 0 1em; }
h1, h2, h3, h4, h5, h6 { margin: 1.4em 0 0.6em; font-weight: bold; line-height: 1.4; }
h1 { font-size: 1.4em; }
h2 { font-size: 1.25em; }
h3 { font-size: 1.1em; }
blockquote { margin: 0 0 1em; padding-left: 1em; border-left: 2px solid #dddddd; color: #777777; }
ul, ol { margin: 0 0 1em; padding-left: 1.5em; }
hr { margin: 1.5em 0; border: 0; border-top: 1px solid #eeeeee; }
.link-ref, .footnote-ref { font-size: 0.75em; line-height: 0; }
.code-inline { font-family: Menlo, Consolas, monospace; font-size: 0.9em; background-color: #f5f5f5; padding: 0 0.3em; }
.code-block { margin: 0 0 1em; background-color: #f8f8f8; }
.code { padding: 0.8em; font-family: Menlo, Consolas, monospace; font-size: 13px; line-height: 1.6; color: #333333; }
.table-wrap { margin: 0 0 1em; }
table { border-collapse: collapse; min-width: 100%; font-size: 14px; }
th, td { padding: 0.3em 0.6em; border: 1px solid #e5e5e5; }
.image { margin: 1em 0; text-align: center; }
.caption { font-size: 13px; color: #999999; }
.footnotes, .references { margin-top: 2em; font-size: 13px; color: #888888; }
.footnotes-title, .references-title { font-size: 14px; margin: 0 0 0.5em; }
.footnote, .reference { margin: 0 0 0.3em; }
.reference-url { word-break: break-all; }
${calloutSheet}${githubLight}`;
