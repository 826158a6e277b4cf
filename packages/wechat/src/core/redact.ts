/**
 * Keeps every secret the client has seen (AppSecret, CorpSecret, bearer secrets, access_tokens, tickets) and
 * scrubs them out of text before it leaves the client: error messages, log lines, URLs.
 *
 * A secret is scrubbed raw, URL-encoded and JSON-escaped, and also when only its start appears (a body cut off
 * by the server, or by a caller that truncated before redacting): any run of at least
 * {@link MIN_PREFIX_CHARS} characters that starts a secret is replaced.
 */
export class Redactor {
  readonly #secrets = new Set<string>();
  /** `#secrets` grouped by their first characters: a raw token and its encoded forms start alike. */
  #byHead = new Map<string, string[]>();

  /** Remember `value` as secret (ignored when empty or shorter than 6 characters, to avoid scrubbing noise). */
  add(value: string | undefined): void {
    if (typeof value !== 'string' || value.length < 6 || this.#secrets.has(value)) return;
    this.#secrets.add(value);
    // The forms a token takes when a server echoes it back inside a query string or a JSON string.
    this.#secrets.add(encodeURIComponent(value));
    this.#secrets.add(JSON.stringify(value).slice(1, -1));
    this.#byHead = new Map();
    for (const secret of this.#secrets) {
      const head = secret.slice(0, MIN_PREFIX_CHARS);
      this.#byHead.set(head, [...(this.#byHead.get(head) ?? []), secret]);
    }
  }

  /**
   * `text` with every remembered secret (or a cut-off start of one) and every `access_token` / `secret` /
   * `corpsecret` / `ticket` query or JSON value replaced by `***`.
   */
  redact(text: string): string {
    let out = text;
    for (const [head, forms] of this.#byHead) out = scrubSecrets(out, head, forms);
    return redactPatterns(out);
  }

  /**
   * Redact `text`, then cut it to at most `maxChars` characters (plus `…`). Redacting first means a secret
   * cut in half by the limit can no longer leave its first half behind.
   */
  redactAndTruncate(text: string, maxChars: number): string {
    const clean = this.redact(text);
    return clean.length > maxChars ? `${clean.slice(0, maxChars)}…` : clean;
  }
}

/** Shortest start of a secret that is still scrubbed when the rest is missing. */
export const MIN_PREFIX_CHARS = 8;

/** Replace each run of `text` that starts with `head` and matches the start of one of `forms` (longest wins). */
function scrubSecrets(text: string, head: string, forms: readonly string[]): string {
  let from = text.indexOf(head);
  if (from < 0) return text;
  let out = '';
  let last = 0;
  while (from >= 0) {
    let end = from + head.length;
    for (const form of forms) {
      let i = head.length;
      while (from + i < text.length && i < form.length && text[from + i] === form[i]) i++;
      end = Math.max(end, from + i);
    }
    out += `${text.slice(last, from)}***`;
    last = end;
    from = text.indexOf(head, end);
  }
  return out + text.slice(last);
}

const QUERY_SECRET = /([?&](?:access_token|secret|corpsecret|appsecret|ticket|stale)=)[^&#\s"']+/gi;
const JSON_SECRET =
  /("(?:access_token|secret|corpsecret|appsecret|ticket|appSecret|corpSecret)"\s*:\s*")[^"]*"?/g;
const BEARER = /(\bBearer\s+)[A-Za-z0-9._~+/=-]{6,}/g;

/** Scrub well-known secret carriers (query parameters, JSON fields, bearer headers) without knowing the values. */
export function redactPatterns(text: string): string {
  return text.replace(QUERY_SECRET, '$1***').replace(JSON_SECRET, '$1***"').replace(BEARER, '$1***');
}
