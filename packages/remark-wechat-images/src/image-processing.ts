import { probeImage, processImage, resolveImage } from '@md2wx/images';

/**
 * The slice of @md2wx/images the plugin calls, declared here so the plugin's types do not move
 * with that package's internals.
 */
export interface ResolvedImageLike {
  src: string;
  kind: 'file' | 'http' | 'data' | 'wechat';
  data?: Buffer;
  path?: string;
  sha256?: string;
}

export interface ProcessedImageLike {
  data: Buffer;
  info: {
    format: 'jpeg' | 'png' | 'gif';
    width: number;
    height: number;
    bytes: number;
    sourceSha256: string;
    outputSha256: string;
    animated: boolean;
    frames: number;
  };
  warnings: string[];
}

export interface ImageProcessing {
  resolveImage(
    src: string,
    options: {
      baseDir: string;
      rootDir?: string;
      allowOutsideRoot?: boolean;
      cacheDir?: string;
      timeoutMs?: number;
      maxBytes?: number;
      retries?: number;
    },
  ): Promise<ResolvedImageLike>;
  probeImage(
    data: Buffer,
    options?: { source?: string },
  ): Promise<{ format: string; width: number; height: number; animated: boolean; frames: number }>;
  processImage(
    input: Buffer,
    options: {
      target: 'body' | 'animated';
      maxWidth?: number;
      maxBytes?: number;
      quality?: 'visually-lossless' | 'balanced' | number;
      source?: string;
    },
  ): Promise<ProcessedImageLike>;
}

/** The real @md2wx/images; typed against the slice above, so a contract drift fails type-checking here. */
export const imageProcessing: ImageProcessing = { resolveImage, probeImage, processImage };
