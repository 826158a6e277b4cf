/** The state file (committed dedupe cache) cannot be read or written. */
export class StateFileError extends Error {
  override readonly name = 'StateFileError';
  constructor(
    /** Absolute path of the state file. */
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

/** One image that could not be resolved, processed or uploaded, with where it is used. */
export interface ImageProblem {
  /** The source as written in the Markdown. */
  src: string;
  /** 1-based line and column of the use (the first use when there are several). */
  line?: number;
  column?: number;
  /** What went wrong, and what to do about it. */
  reason: string;
  /** The @md2wx/images `ImageError` code, when there is one ('corrupt', 'unreachable', …). */
  code?: string;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * The file failed: some images could not be made ready, so nothing was uploaded (or, for upload failures,
 * nothing was rewritten). `problems` lists every bad image, not only the first; each is also a fatal vfile
 * message with its position.
 */
export class RemarkWechatImagesError extends Error {
  override readonly name = 'RemarkWechatImagesError';
  constructor(
    /** The Markdown file's path, when known. */
    readonly file: string | undefined,
    readonly problems: ImageProblem[],
    readonly stage: 'prepare' | 'upload',
  ) {
    const where = file ?? '<input>';
    const lines = problems.map(
      (p) => `  ${where}:${p.line ?? '?'}:${p.column ?? '?'}  ${p.src}: ${p.reason}`,
    );
    const what = stage === 'prepare' ? 'nothing was uploaded' : 'the file was not rewritten';
    super(`${problems.length} image problem(s) in ${where}; ${what}:\n${lines.join('\n')}`);
  }
}
