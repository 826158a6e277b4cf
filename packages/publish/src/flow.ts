/**
 * `@md2wx/publish/flow`: the publish flow without the synchronous front-matter reader (`readPostMeta`), which
 * pulls in the whole renderer at import. What a program that runs the flow needs — `runPublish`, `Session`,
 * `resolveConfig` and the describers of its report — loads from here with the WeChat client and the state file
 * alone; the renderer, image tools and caches load when a post needs them (an unchanged post's re-run loads
 * none of them). The same values as the main entry, not copies.
 */
export { CREDENTIALS_HINT, resolveConfig } from './config.js';
export type { PublishEvent } from './events.js';
export { FIELD_FALLBACK, FIELD_LIMIT } from './article.js';
export {
  describePostError,
  displayPath,
  type PostReport,
  type PublishOptions,
  type RunReport,
  runPublish,
} from './pipeline.js';
export { describeMessage, type RunReportJson, runReportJson } from './report-json.js';
export { Session, type SessionFlags } from './session.js';
export { writeFileAtomic } from './state.js';
