import type { VFileMessage } from 'vfile-message';

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

/**
 * The file failed: some images could not be made ready, so nothing was uploaded (or, for upload failures,
 * nothing was rewritten). `problems` lists every bad image, not only the first, one fatal vfile message per
 * source (`VFileMessage`, as on `file.messages`, where each use of it is reported too): `actual` the source as
 * written in the Markdown, `place`/`line`/`column` its first use (1-based), `reason` what went wrong and what
 * to do, `ruleId` the @md2wx/images `ImageError` code (`corrupt`, `unreachable`, …) or `errcode-<n>` for a
 * WeChat refusal (`image` when there is none), `source` `'remark-wechat-images'`, `cause` the underlying
 * error, `file` the Markdown file's path when known.
 *
 * With `stage: 'options'` the plugin was given an option it does not know (thrown when unified attaches the
 * plugin, before any file is read): `option` is the unknown name, `suggestion` the nearest valid one, and
 * `problems` is empty.
 */
export class RemarkWechatImagesError extends Error {
  override readonly name = 'RemarkWechatImagesError';
  /** `stage: 'options'`: the option name that is not one of the plugin's. */
  readonly option?: string;
  /** `stage: 'options'`: the valid option meant, when one is close enough to guess. */
  readonly suggestion?: string;
  constructor(
    /** The Markdown file's path, when known. */
    readonly file: string | undefined,
    readonly problems: VFileMessage[],
    readonly stage: 'prepare' | 'upload' | 'options',
    details?: { message: string; option?: string; suggestion?: string },
  ) {
    const where = file ?? '<input>';
    const lines = problems.map(
      (p) => `  ${where}:${p.line ?? '?'}:${p.column ?? '?'}  ${p.actual}: ${p.reason}`,
    );
    const what = stage === 'prepare' ? 'nothing was uploaded' : 'the file was not rewritten';
    super(
      details?.message ?? `${problems.length} image problem(s) in ${where}; ${what}:\n${lines.join('\n')}`,
    );
    if (details?.option !== undefined) this.option = details.option;
    if (details?.suggestion !== undefined) this.suggestion = details.suggestion;
  }
}
