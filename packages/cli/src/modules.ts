/**
 * Lazy loaders (see @md2wx/publish/modules), plus the one package only the CLI uses. Nothing in this file may
 * import a package by value at the top level: `md2wx --help` must start without sharp, unified or got.
 */
export {
  loadDiagrams,
  loadImages,
  loadRemarkImages,
  loadRender,
  loadSandbox,
  loadStoreRedis,
  loadWechat,
} from '@md2wx/publish/modules';
/** `@md2wx/token-service`: the central access_token service (`md2wx token serve`). */
export const loadTokenService = () => import('@md2wx/token-service');
