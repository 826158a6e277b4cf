export {
  BrowserNotFoundError,
  CHROMIUM_ARGS,
  findChromium,
  INSTALL_HINT,
  type LaunchedBrowser,
  launchChromium,
} from './chromium.js';
export {
  type Diagram,
  DiagramRenderer,
  type DiagramRendererOptions,
  DiagramSyntaxError,
  MERMAID_VERSION,
  type MermaidTheme,
} from './mermaid.js';
export { MESSAGE_SOURCE, remarkMermaid, type RemarkMermaidOptions } from './plugin.js';
