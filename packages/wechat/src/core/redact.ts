/**
 * Keeps every secret the client has seen (AppSecret, CorpSecret, bearer secrets, access_tokens, tickets) and
 * scrubs them out of text before it leaves the client: error messages, log lines, URLs.
 */
export class Redactor {
  readonly #secrets = new Set<string>();

  /** Remember `value` as secret (ignored when empty or shorter than 6 characters, to avoid scrubbing noise). */
  add(value: string | undefined): void {
    if (value && value.length >= 6) this.#secrets.add(value);
  }

  /**
   * `text` with every remembered secret and every `access_token` / `secret` / `corpsecret` / `ticket` query or
   * JSON value replaced by `***`.
   */
  redact(text: string): string {
    let out = text;
    for (const secret of this.#secrets) {
      if (out.includes(secret)) out = out.split(secret).join('***');
    }
    return redactPatterns(out);
  }
}

const QUERY_SECRET = /([?&](?:access_token|secret|corpsecret|appsecret|ticket|stale)=)[^&#\s"']+/gi;
const JSON_SECRET =
  /("(?:access_token|secret|corpsecret|appsecret|ticket|appSecret|corpSecret)"\s*:\s*")[^"]*"/g;
const BEARER = /(\bBearer\s+)[A-Za-z0-9._~+/=-]{6,}/g;

/** Scrub well-known secret carriers (query parameters, JSON fields, bearer headers) without knowing the values. */
export function redactPatterns(text: string): string {
  return text.replace(QUERY_SECRET, '$1***').replace(JSON_SECRET, '$1***"').replace(BEARER, '$1***');
}
