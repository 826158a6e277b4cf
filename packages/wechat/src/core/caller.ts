import type { CredentialCache } from '../token/manager.js';
import { WechatApiError } from './errors.js';
import { TOKEN_ERRCODES } from './hints.js';
import type { ClientStats, HttpRequest, JsonResponse, BinaryResponse, Transport } from './transport.js';

/**
 * Business calls with `access_token` in the query string (§1.1). On 40001/40014/42001 the rejected token is
 * replaced (one refresh shared by every caller that saw it) and the call repeated once (§1.6).
 */
export class ApiCaller {
  constructor(
    readonly transport: Transport,
    readonly tokens: CredentialCache,
    readonly stats: ClientStats,
  ) {}

  async #withToken<R>(run: (token: string) => Promise<R>): Promise<R> {
    const token = await this.tokens.get();
    try {
      return await run(token);
    } catch (error) {
      if (!(error instanceof WechatApiError) || !TOKEN_ERRCODES.has(error.errcode)) throw error;
      this.stats.tokenRetries++;
      this.transport.log(
        'warn',
        `${error.endpoint}: errcode ${error.errcode}, refreshing access_token and retrying once`,
      );
      const fresh = await this.tokens.replace(token);
      return run(fresh);
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
