/** Why a Redis store call failed. */
export type RedisStoreErrorCode = 'config' | 'connection' | 'command' | 'closed' | 'invalid-argument';

/**
 * Error thrown by the Redis store. `message` never contains the Redis password: URLs are shown with the
 * credentials replaced by `***`.
 */
export class RedisStoreError extends Error {
  override readonly name = 'RedisStoreError';
  readonly code: RedisStoreErrorCode;
  /** What failed, without the hint: for a caller that gives its own advice (`message` is both). */
  readonly detail: string;
  /** What to check, when there is advice to give (e.g. "is the Redis server running and reachable?"). */
  readonly hint?: string;

  constructor(code: RedisStoreErrorCode, message: string, options?: { cause?: unknown; hint?: string }) {
    super(options?.hint ? `${message} — ${options.hint}` : message, options);
    this.code = code;
    this.detail = message;
    if (options?.hint) this.hint = options.hint;
  }
}

/**
 * `url` with its user/password replaced by `***`, for messages. A string that is not a URL is replaced
 * entirely: it may be a password pasted in the wrong place.
 */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username) parsed.username = '***';
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparsable redis url>';
  }
}
