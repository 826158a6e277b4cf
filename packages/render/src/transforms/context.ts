import type { VFile } from 'vfile';
import type { RenderContext } from '../types.js';
import { defaultContext } from './element.js';

declare module 'vfile' {
  interface DataMap {
    md2wx: RenderContext;
  }
}

/** The render context carried on the vfile, created on first use when a transform runs on its own. */
export function contextOf(file: VFile | undefined): RenderContext {
  if (!file) return defaultContext();
  let ctx = file.data.md2wx;
  if (!ctx) {
    ctx = defaultContext(file);
    file.data.md2wx = ctx;
  }
  return ctx;
}
