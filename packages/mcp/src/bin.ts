#!/usr/bin/env node
/**
 * `md2wx-mcp [--root <dir>] [--config <file>] [--account <name>]`: the md2wx MCP server on stdio.
 * stdout carries the protocol alone; anything for a human goes to stderr.
 */
import { parseArgs } from 'node:util';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createServer } from './server.js';

const USAGE = `usage: md2wx-mcp [--root <dir>] [--config <file>] [--account <name>]

An MCP server (stdio) with the tools render_post, lint_post, push_draft and publish_draft.
  --root <dir>       folder whose posts the tools may read (default: MD2WX_MCP_ROOT, else the working directory)
  --config <file>    md2wx config file, relative to the root (default: md2wx.config.{json,yaml,yml,mjs} there)
  --account <name>   account of the config file (default: MD2WX_ACCOUNT, else the file's default)
Credentials come from the environment, as for the md2wx CLI: WECHAT_APP_ID, WECHAT_APP_SECRET (or .env in the root).`;

let values: { root?: string; config?: string; account?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      root: { type: 'string' },
      config: { type: 'string' },
      account: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  process.stderr.write(`md2wx-mcp: ${(error as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
if (values.help) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(0);
}

// stdout is the JSON-RPC stream: a stray console.log from any library would break the client's parser.
console.log = console.info = console.debug = console.error;

try {
  const root = values.root ?? process.env.MD2WX_MCP_ROOT;
  const server = await createServer({
    ...(root ? { root } : {}),
    ...(values.config ? { config: values.config } : {}),
    ...(values.account ? { account: values.account } : {}),
  });
  await server.connect(new StdioServerTransport());
} catch (error) {
  process.stderr.write(`md2wx-mcp: ${(error as Error).message}\n`);
  process.exit(1);
}
