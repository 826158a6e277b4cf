/** highlight.js token colours (GitHub light), shared by the light themes. */
export const githubLight = `
.hljs-comment, .hljs-quote { color: #6a737d; font-style: italic; }
.hljs-keyword, .hljs-selector-tag, .hljs-type, .hljs-doctag, .hljs-template-tag { color: #d73a49; }
.hljs-string, .hljs-regexp, .hljs-addition, .hljs-meta .hljs-string { color: #032f62; }
.hljs-number, .hljs-literal, .hljs-variable.language_, .hljs-attr, .hljs-attribute, .hljs-operator, .hljs-selector-attr, .hljs-selector-class, .hljs-selector-id { color: #005cc5; }
.hljs-title, .hljs-title.class_, .hljs-title.function_, .hljs-section { color: #6f42c1; }
.hljs-built_in, .hljs-symbol, .hljs-name, .hljs-selector-pseudo { color: #22863a; }
.hljs-meta, .hljs-variable, .hljs-template-variable, .hljs-params { color: #e36209; }
.hljs-deletion { color: #b31d28; background-color: #ffeef0; }
.hljs-emphasis { font-style: italic; }
.hljs-strong { font-weight: bold; }
`;

/** highlight.js token colours (Atom One Dark), for dark code blocks. */
export const oneDark = `
.hljs-comment, .hljs-quote { color: #7f848e; font-style: italic; }
.hljs-keyword, .hljs-selector-tag, .hljs-doctag, .hljs-formula { color: #c678dd; }
.hljs-section, .hljs-name, .hljs-selector-tag, .hljs-deletion, .hljs-subst { color: #e06c75; }
.hljs-literal { color: #56b6c2; }
.hljs-string, .hljs-regexp, .hljs-addition, .hljs-attribute, .hljs-meta .hljs-string { color: #98c379; }
.hljs-attr, .hljs-variable, .hljs-template-variable, .hljs-type, .hljs-selector-class, .hljs-selector-attr, .hljs-selector-pseudo, .hljs-number { color: #d19a66; }
.hljs-symbol, .hljs-bullet, .hljs-link, .hljs-meta, .hljs-selector-id, .hljs-title { color: #61aeee; }
.hljs-built_in, .hljs-title.class_, .hljs-class .hljs-title { color: #e6c07b; }
.hljs-emphasis { font-style: italic; }
.hljs-strong { font-weight: bold; }
`;
