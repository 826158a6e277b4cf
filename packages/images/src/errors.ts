/**
 * Why an image could not be read, downloaded or converted.
 *
 * - `empty`: zero bytes.
 * - `corrupt`: the bytes claim an image format but do not decode.
 * - `truncated`: the file ends before the image data does (an interrupted copy or download).
 * - `unsupported`: not an image format this package can decode (or an animated AVIF/HEIC sequence).
 * - `unsupported-scheme`: a URL scheme other than http, https, file and data.
 * - `not-found`: a local file that does not exist.
 * - `forbidden-path`: a local file outside the project root.
 * - `unreachable`: a download failed (DNS, connection, timeout, deadline, too slow, HTTP status).
 * - `forbidden-host`: a download (or one of its redirects) would reach a loopback, private or link-local address.
 * - `too-large`: more bytes or pixels than allowed, or an output that cannot fit its budget.
 * - `animated`: an animated input given to a target that only takes still images (use target `animated`).
 */
export type ImageErrorCode =
  | 'empty'
  | 'corrupt'
  | 'truncated'
  | 'unsupported'
  | 'unsupported-scheme'
  | 'not-found'
  | 'forbidden-path'
  | 'unreachable'
  | 'forbidden-host'
  | 'too-large'
  | 'animated';

/**
 * The one error type of @md2wx/images. `message` names the source, says why and what to do;
 * `code` is stable for programs; `source` is the `src` as written in the Markdown (or a label).
 */
export class ImageError extends Error {
  override readonly name = 'ImageError';
  readonly code: ImageErrorCode;
  readonly source: string;

  /**
   * @param options.label how the message names the source when `source` should not be printed as is
   *   (a URL whose query string may carry a signature or token).
   */
  constructor(
    code: ImageErrorCode,
    source: string,
    message: string,
    options?: { cause?: unknown; label?: string },
  ) {
    super(
      `${options?.label ?? source}: ${message}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.source = source;
  }
}

/** True when `error` is an {@link ImageError}, optionally with the given code. */
export function isImageError(error: unknown, code?: ImageErrorCode): error is ImageError {
  return error instanceof ImageError && (code === undefined || error.code === code);
}
