/**
 * Lazy loaders for the heavy workspace packages, so `md2wx --help` starts without loading sharp, unified or
 * the HTTP client. Each returns the module typed by the contracts in `contracts.ts`.
 */
import type {
  ImagesModule,
  RemarkWechatImagesModule,
  RenderModule,
  SandboxModule,
  WechatModule,
} from './contracts.js';

// The specifiers sit in variables typed as string so TypeScript does not bind the CLI to what each package
// exports at this moment; the contracts above are the binding.
const SPECIFIERS = {
  wechat: '@md2wx/wechat',
  sandbox: '@md2wx/sandbox',
  images: '@md2wx/images',
  render: '@md2wx/render',
  remarkImages: '@md2wx/remark-wechat-images',
  tokenService: '@md2wx/token-service',
} as const;

async function load<T>(specifier: string): Promise<T> {
  return (await import(specifier)) as T;
}

/** `@md2wx/wechat`: clients, stores, WechatApiError. */
export const loadWechat = (): Promise<WechatModule> => load(SPECIFIERS.wechat);
/** `@md2wx/sandbox`: the in-process fake WeChat server. */
export const loadSandbox = (): Promise<SandboxModule> => load(SPECIFIERS.sandbox);
/** `@md2wx/images`: resolve, probe and compress images. */
export const loadImages = (): Promise<ImagesModule> => load(SPECIFIERS.images);
/** `@md2wx/render`: Markdown → WeChat HTML, the linter and the preview page. */
export const loadRender = (): Promise<RenderModule> => load(SPECIFIERS.render);
/** `@md2wx/remark-wechat-images`: the image-upload remark plugin. */
export const loadRemarkImages = (): Promise<RemarkWechatImagesModule> => load(SPECIFIERS.remarkImages);
/** `@md2wx/token-service`: the central access_token service. */
export const loadTokenService = (): Promise<{ startTokenService: (options: unknown) => Promise<unknown> }> =>
  load(SPECIFIERS.tokenService);
