/** The help texts and headings of `md2wx --help`. */
export const EXIT_CODES_HELP = `

Exit codes:
  0  ok
  1  content errors (broken image, field over WeChat's limit, no cover, MUST lint errors with --publish)
  2  usage (unknown flag, missing argument)
  3  WeChat API error (printed with errcode, errmsg, rid and a hint)
  4  configuration (missing credentials, bad config file, unknown --account, token service refused the
     secret or IP, Redis store unreachable)

Configuration: flags > environment (WECHAT_APP_ID, WECHAT_APP_SECRET, WECOM_CORP_ID, WECOM_CORP_SECRET,
WECOM_AGENT_ID) > .env > md2wx.config.(json|yaml|mjs) with named accounts (--account).
Shared state: MD2WX_REDIS_URL=redis://… (or \`redis:\` in the config file) keeps tokens, the upload cache and
quotas in Redis for every runner; tokens from a central service: MD2WX_TOKEN_SERVICE_URL + _SECRET.`;

export const MAIN_EXAMPLES = `
Examples:
  md2wx post.md                          render + lint; with credentials also upload images, write out/post.wechat.html
  md2wx post.md --draft                  push (or update) the post's draft
  md2wx examples/hello/post.md --sandbox --draft
                                         try it all against an in-process fake WeChat
  md2wx --changed-since origin/main 'posts/**/*.md' --draft
                                         CI: only posts changed since a git ref
  md2wx a.md b.md --bundle               one draft with two articles
  md2wx post.md --publish                draft, then publish and print the article URL
  md2wx long.md --draft --title "…"      WeChat's title (≤ 32 characters) when the post's is longer
  md2wx token serve --allow-ip 10.0.0.0/8
                                         the central token service (secret from MD2WX_TOKEN_SERVICE_SECRET)`;

/** Help headings of `md2wx --help`. */
export const GROUPS = {
  publishing: 'Publishing:',
  media: 'Materials and media:',
  accounts: 'Accounts and tokens:',
  wecom: 'WeCom:',
  tools: 'Tools:',
} as const;
