import { memoryStore } from '../store/memory.js';
import type { Store } from '../store/types.js';
import type { Platform } from './hints.js';
import { Redactor } from './redact.js';
import { type ClientStats, type Logger, Transport } from './transport.js';

/** Options shared by both clients. */
export interface CommonClientOptions {
  /** API base URL; default WeChat's. Point it at the sandbox (`sandbox.url` / `sandbox.wecomUrl`) in tests. */
  baseUrl?: string;
  /** Where tokens, tickets and quota counters live; default `memoryStore()` (per process). */
  store?: Store;
  /** Per-attempt HTTP timeout, milliseconds; default 30,000. */
  timeoutMs?: number;
  /** Extra attempts for network errors, HTTP 5xx, errcode -1 and 45011; default 4. */
  retries?: number;
  /** First backoff step, milliseconds (doubles, full jitter); default 250. */
  retryBaseMs?: number;
  /** Seconds taken off `expires_in` before a cached token counts as expired; default 300. */
  tokenMarginSeconds?: number;
  /** Log sink; every line is redacted (no AppSecret, CorpSecret or access_token). */
  logger?: Logger;
}

export interface ClientCore {
  transport: Transport;
  store: Store;
  stats: ClientStats;
  redactor: Redactor;
}

/** Build the transport, store, counters and redactor of a client; `secrets` are registered for redaction. */
export function setupCore(
  options: CommonClientOptions,
  platform: Platform,
  defaultBaseUrl: string,
  secrets: string[],
): ClientCore {
  const redactor = new Redactor();
  for (const s of secrets) redactor.add(s);
  const stats: ClientStats = { requests: 0, retries: 0, tokenFetches: 0, tokenRetries: 0 };
  const transport = new Transport({
    baseUrl: options.baseUrl ?? defaultBaseUrl,
    platform,
    redactor,
    timeoutMs: options.timeoutMs ?? 30_000,
    retries: options.retries ?? 4,
    retryBaseMs: options.retryBaseMs ?? 250,
    logger: options.logger,
    stats,
  });
  return { transport, store: options.store ?? memoryStore(), stats, redactor };
}
