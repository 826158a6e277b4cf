import type { CredentialCache } from '../token/manager.js';
import { WechatApiError } from './errors.js';
import { TOKEN_ERRCODES } from './hints.js';
import type { ClientStats, HttpRequest, JsonResponse, BinaryResponse, Transport } from './transport.js';

/** How many times one call fetches a new access_token after WeChat rejected the one it used. */
export const TOKEN_REPLACEMENTS = 6;
/** First wait before a second (third, …) replacement, milliseconds; doubles each time up to 1 s, full jitter. */
export const TOKEN_BACKOFF_MS = 200;
const TOKEN_BACKOFF_CAP_MS = 1_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Business calls with `access_token` in the query string, as every API page shows (e.g.
 * https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_add.html). On
 * 40001/40014/42001 the rejected token is replaced (one refresh shared by every caller that saw it) and the
 * call repeated (https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html). A
 * token can be rejected again (revoked meanwhile, or a token service still serving the old one): the call
 * then replaces it again after a backoff of 200, 400, 800, 1,000, 1,000 ms (full jitter), at most
 * `TOKEN_REPLACEMENTS` (6) times, before the `WechatApiError` reaches the caller. A token rejection means
 * WeChat did nothing, so repeating is safe even for create-type calls (draft/add, add_material).
 */
export class ApiCaller {
  constructor(
    readonly transport: Transport,
    readonly tokens: CredentialCache,
    readonly stats: ClientStats,
  ) {}

  async #withToken<R>(run: (token: string) => Promise<R>): Promise<R> {
    let token = await this.tokens.get();
    for (let replaced = 0; ; replaced++) {
      try {
        return await run(token);
      } catch (error) {
        if (!(error instanceof WechatApiError) || !TOKEN_ERRCODES.has(error.errcode)) throw error;
        if (replaced >= TOKEN_REPLACEMENTS) throw error;
        this.stats.tokenRetries++;
        this.transport.log(
          'warn',
          `${error.endpoint}: errcode ${error.errcode}, refreshing access_token and retrying (${replaced + 1}/${TOKEN_REPLACEMENTS})`,
        );
        if (replaced > 0) {
          await sleep(Math.random() * Math.min(TOKEN_BACKOFF_CAP_MS, TOKEN_BACKOFF_MS * 2 ** (replaced - 1)));
        }
        token = await this.tokens.replace(token);
      }
    }
  }

  /** A JSON call; see `Transport.json` for the errors thrown. */
  json(req: HttpRequest): Promise<Record<string, unknown>> {
    return this.#withToken((token) =>
      this.transport.json({ ...req, query: { ...req.query, access_token: token } }),
    );
  }

  /** A call that may answer a file (stream) or JSON; see `Transport.send`. */
  send(req: HttpRequest): Promise<JsonResponse | BinaryResponse> {
    return this.#withToken((token) =>
      this.transport.send({ ...req, query: { ...req.query, access_token: token } }, true),
    );
  }
}
