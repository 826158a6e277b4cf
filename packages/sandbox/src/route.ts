/**
 * The shape every endpoint handler has. Handlers receive a `RouteContext`, return a `Reply` or throw
 * a `WxError`; the server does routing, faults, access_token checks, quotas, logging and encoding.
 */
import type { IncomingMessage } from 'node:http';
import type { MultipartBody } from './http-io.js';
import type { ResolvedOptions } from './options.js';
import type { Platform, SandboxState, TokenRecord } from './state.js';
import { WxError } from './wx-error.js';

export interface RouteContext {
  req: IncomingMessage;
  platform: Platform;
  /** API name, e.g. 'media/uploadimg' (WeCom: same path names, platform says which). */
  api: string;
  url: URL;
  query: URLSearchParams;
  /** Caller IP without the `::ffff:` prefix. */
  ip: string;
  /** Sandbox clock, epoch ms. */
  now: number;
  state: SandboxState;
  options: ResolvedOptions;
  /** appId / corpId of the access_token (authenticated routes), '' otherwise. */
  principal: string;
  /** The access_token record of an authenticated call (WeCom: tells the app's agentId). */
  token?: TokenRecord;
  /** OA base URL, e.g. http://127.0.0.1:port. */
  baseUrl: string;
  /** Where files are served back (same origin as `baseUrl`). */
  imageHost: string;
  json(): Promise<Record<string, unknown>>;
  multipart(): Promise<MultipartBody>;
  /** Counts one call of `api` against its daily quota for `principal`; throws 45009 when exhausted. */
  consumeQuota(api: string, dailyLimit: number, monthlyLimit?: number): void;
}

export type Reply =
  | { json: Record<string, unknown>; textPlain?: boolean }
  | { status?: number; headers: Record<string, string>; body: Buffer };

export interface Route {
  platform: Platform;
  /** Path below `/cgi-bin/`, e.g. 'media/uploadimg'. Also the API name. */
  api: string;
  method: 'GET' | 'POST' | 'ANY';
  /** Requires `access_token`; false for the token endpoints. */
  auth: boolean;
  /** A token endpoint (token, stable_token, gettoken): fault scope and whitelist mode care. */
  tokenEndpoint?: boolean;
  /**
   * Daily quota for this API per account
   * (https://developers.weixin.qq.com/doc/service/Message_Management/API_Call_Limits.html); undefined = none
   * enforced.
   */
  dailyQuota?: number;
  handler(ctx: RouteContext): Promise<Reply> | Reply;
}

/** A JSON reply. */
export function ok(json: Record<string, unknown>, textPlain = false): Reply {
  return { json, textPlain };
}

/** A string field of a JSON body, or undefined when absent/not a string. */
export function str(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  return typeof v === 'string' ? v : undefined;
}

/** An integer field (JSON number or numeric string), or undefined. */
export function int(body: Record<string, unknown>, key: string): number | undefined {
  const v = body[key];
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return undefined;
}

/**
 * The paging fields of the `batchget` endpoints (draft, freepublish, material): `offset` ≥ 0 (default 0),
 * `count` 1–20 (required), `no_content` 1 or not. Anything else → 40002 "invalid args", as WeChat answers.
 */
export function pageArgs(body: Record<string, unknown>): {
  offset: number;
  count: number;
  noContent: boolean;
} {
  const offset = int(body, 'offset') ?? 0;
  const count = int(body, 'count');
  if (offset < 0 || count === undefined || count < 1 || count > 20) throw new WxError(40002, 'invalid args');
  return { offset, count, noContent: int(body, 'no_content') === 1 };
}
