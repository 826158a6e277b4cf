/**
 * Lazy loaders for the heavy workspace packages, so `md2wx --help` (or a program that only reads config) starts without loading sharp, unified or
 * the HTTP client. Each is a plain dynamic import: TypeScript types the module from the package itself
 * (`typeof import(…)`), so a change in a package's API is a type error here rather than a runtime surprise.
 * Nothing in this file may import a package by value at the top level.
 */

/** `@md2wx/wechat`: clients, stores, WechatApiError. */
export const loadWechat = () => import('@md2wx/wechat');
/** `@md2wx/sandbox`: the in-process fake WeChat server. */
export const loadSandbox = () => import('@md2wx/sandbox');
/** `@md2wx/images`: resolve, probe and compress images. */
export const loadImages = () => import('@md2wx/images');
/** `@md2wx/render`: Markdown → WeChat HTML, the linter and the preview page. */
export const loadRender = () => import('@md2wx/render');
/** `@md2wx/remark-wechat-images`: the image-upload remark plugin. */
export const loadRemarkImages = () => import('@md2wx/remark-wechat-images');
/** `@md2wx/store-redis`: the Redis store (ioredis) shared by every run pointing at one server. */
export const loadStoreRedis = () => import('@md2wx/store-redis');
/** `@md2wx/diagrams`: mermaid drawn in headless Chromium (loaded only for posts with a diagram). */
export const loadDiagrams = () => import('@md2wx/diagrams');
