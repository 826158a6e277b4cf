/**
 * `@md2wx/mcp`: an MCP server that lets an agent render, lint, push and publish Markdown posts to a WeChat
 * Official Account through md2wx. Run the `md2wx-mcp` bin, or build the server yourself with
 * {@link createServer} and connect it to any MCP transport.
 */
export { createServer, type ServerOptions, TOOL_NAMES } from './server.js';
export { PathOutsideRootError, resolveInRoot } from './root.js';
export { errorDetails, type ToolErrorDetails } from './tool-errors.js';
export type {
  Diagnostic,
  LintPostResult,
  PublishDraftResult,
  PushDraftResult,
  RenderPostResult,
} from './schemas.js';
