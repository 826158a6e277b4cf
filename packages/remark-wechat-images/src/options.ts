import { closestMatch } from 'leven';
import { RemarkWechatImagesError } from './errors.js';
import type { RemarkWechatImagesOptions } from './types.js';

/**
 * Every option the plugin reads. `satisfies` keeps this list and `RemarkWechatImagesOptions` in step: a new
 * field that is missing here (or a stale name) fails the type-check instead of being refused at run time.
 */
const OPTION_NAMES = {
  uploader: true,
  cache: true,
  concurrency: true,
  baseDir: true,
  rootDir: true,
  allowOutsideRoot: true,
  downloadCacheDir: true,
  timeoutMs: true,
  downloadRetries: true,
  downloadDeadlineMs: true,
  minBytesPerSecond: true,
  allowPrivateHosts: true,
  maxSourceBytes: true,
  maxWidth: true,
  maxBytes: true,
  quality: true,
  continueOnError: true,
  onProgress: true,
  outDir: true,
  publicPath: true,
} as const satisfies Record<keyof RemarkWechatImagesOptions, true>;

/** The plugin's option names, in the order of `RemarkWechatImagesOptions`. */
export const KNOWN_OPTIONS = Object.keys(OPTION_NAMES) as (keyof RemarkWechatImagesOptions)[];

/**
 * Names people reach for that are too far from the real option for an edit distance to find, with how to say
 * it. `stateFile` is the one that cost real uploads: it was silently ignored, so every build re-uploaded.
 */
const MEANT: Record<string, { option: keyof RemarkWechatImagesOptions; example: string }> = {};
for (const name of ['stateFile', 'statePath', 'stateFilePath', 'cacheFile', 'cachePath', 'store', 'dedupe']) {
  MEANT[name.toLowerCase()] = {
    option: 'cache',
    example: "cache: stateFileCache({ path: '.md2wx/images.json' })",
  };
}
for (const name of ['client', 'wechat', 'wechatClient', 'upload', 'api']) {
  MEANT[name.toLowerCase()] = { option: 'uploader', example: 'uploader: wechatUploader(client)' };
}

/**
 * Refuses options the plugin does not know, so a typo (`stateFile`, `maxwidth`) fails loudly instead of
 * silently costing uploads or budget.
 *
 * @param options what was passed to `.use(remarkWechatImages, options)`; `undefined` and `null` mean none
 * @throws RemarkWechatImagesError (`stage: 'options'`, `option`, `suggestion`) naming the first unknown option
 *   and the nearest valid one; TypeError when `options` is not an object
 */
export function checkOptions(
  options: unknown,
): asserts options is RemarkWechatImagesOptions | undefined | null {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(
      `remark-wechat-images: options must be an object, got ${Array.isArray(options) ? 'an array' : typeof options}`,
    );
  }
  for (const name of Object.keys(options)) {
    if (Object.hasOwn(OPTION_NAMES, name)) continue;
    const meant = MEANT[name.toLowerCase()];
    const suggestion =
      meant?.option ??
      KNOWN_OPTIONS.find((known) => known.toLowerCase() === name.toLowerCase()) ??
      closestMatch(name, KNOWN_OPTIONS, { maxDistance: Math.max(2, Math.floor(name.length / 3)) });
    const hint = meant ? ` (${meant.example})` : '';
    const guess = suggestion ? ` — did you mean "${suggestion}"${hint}?` : '';
    throw new RemarkWechatImagesError(undefined, [], 'options', {
      message: `remark-wechat-images: unknown option "${name}"${guess} Valid options: ${KNOWN_OPTIONS.join(', ')}. (the Options table of the @md2wx/remark-wechat-images README says what each does).`,
      option: name,
      ...(suggestion ? { suggestion } : {}),
    });
  }
}
