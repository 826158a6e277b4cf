/**
 * access_token issuance and validation
 * (https://developers.weixin.qq.com/doc/subscription/api/base/api_getaccesstoken.html,
 * https://developers.weixin.qq.com/doc/subscription/api/base/api_getstableaccesstoken.html,
 * https://developer.work.weixin.qq.com/document/path/91039). The 300 s overlaps and the force-mode limits
 * below follow those pages; where they are silent the sandbox follows observed behaviour.
 *
 * - OA `token` (classic): every call issues a new token; the previous ones stay valid 300 s more, then
 *   answer 40001 ("not latest").
 * - OA `stable_token`: isolated from classic. Normal mode returns the current token with its remaining
 *   `expires_in` until the last 300 s, then rotates (old one keeps its remaining ≤ 300 s). Force mode
 *   revokes the previous token at once, at most 20 times a day and ≥ 30 s apart (else: current token
 *   unchanged).
 * - WeCom `gettoken`: the same token while it is valid (UNCONFIRMED, see README).
 */
import type { SandboxState, TokenRecord } from './state.js';
import { WxError } from './wx-error.js';

/** Grace period of a superseded token, and stable_token's early-rotation window, ms. */
export const OVERLAP_MS = 300_000;
const FORCE_SPACING_MS = 30_000;
const FORCE_PER_DAY = 20;

const OA_TOKEN_SHAPE = /^\d{2,3}_[A-Za-z0-9_-]{100,}$/;

function newToken(state: SandboxState, kind: TokenRecord['kind']): string {
  // Real OA tokens look like `95_<~150 chars>`; WeCom's are ~200 chars of base64url.
  if (kind === 'wecom') return state.ids.b64url(214);
  return `${90 + state.ids.int(9)}_${state.ids.b64url(150)}`;
}

function issue(
  state: SandboxState,
  kind: TokenRecord['kind'],
  principal: string,
  now: number,
  ttlMs: number,
  agentId?: number,
) {
  const record: TokenRecord = {
    token: newToken(state, kind),
    principal,
    kind,
    issuedAt: now,
    expiresAt: now + ttlMs,
  };
  if (agentId !== undefined) record.agentId = agentId;
  state.tokens.set(record.token, record);
  state.currentToken.set(`${kind}:${principal}${agentId === undefined ? '' : `:${agentId}`}`, record.token);
  return record;
}

function isLive(record: TokenRecord | undefined, now: number): record is TokenRecord {
  return (
    record !== undefined &&
    now < record.expiresAt &&
    (record.invalidAfter === undefined || now < record.invalidAfter)
  );
}

/** `{access_token, expires_in}` for `record` at `now` (expires_in in whole seconds, rounded down). */
export function tokenBody(record: TokenRecord, now: number): { access_token: string; expires_in: number } {
  return { access_token: record.token, expires_in: Math.max(0, Math.floor((record.expiresAt - now) / 1000)) };
}

/** OA `GET /cgi-bin/token`: a new token, the previous live ones get a 300 s grace. */
export function issueClassic(
  state: SandboxState,
  appId: string,
  now: number,
  ttlSeconds: number,
): TokenRecord {
  for (const record of state.tokens.values()) {
    if (record.kind === 'classic' && record.principal === appId && isLive(record, now)) {
      record.invalidAfter = Math.min(record.invalidAfter ?? Number.POSITIVE_INFINITY, now + OVERLAP_MS);
    }
  }
  return issue(state, 'classic', appId, now, ttlSeconds * 1000);
}

/** Beijing-time calendar day of `now`: WeChat's daily counters reset at 00:00 UTC+8. */
export function quotaDay(now: number): string {
  return new Date(now + 8 * 3600_000).toISOString().slice(0, 10);
}

/**
 * OA `POST /cgi-bin/stable_token`. Throws WxError(45009) when force_refresh exceeds 20 a day.
 */
export function issueStable(
  state: SandboxState,
  appId: string,
  now: number,
  ttlSeconds: number,
  forceRefresh: boolean,
): TokenRecord {
  const current = state.tokens.get(state.currentToken.get(`stable:${appId}`) ?? '');
  if (forceRefresh) {
    const times = (state.forceRefreshes.get(appId) ?? []).filter((t) => quotaDay(t) === quotaDay(now));
    const last = times[times.length - 1];
    if (isLive(current, now) && last !== undefined && now - last < FORCE_SPACING_MS) return current;
    if (times.length >= FORCE_PER_DAY) throw new WxError(45009);
    times.push(now);
    state.forceRefreshes.set(appId, times);
    if (current) current.invalidAfter = now;
    return issue(state, 'stable', appId, now, ttlSeconds * 1000);
  }
  if (isLive(current, now) && now < current.expiresAt - Math.min(OVERLAP_MS, (ttlSeconds * 1000) / 2))
    return current;
  // Rotation window (or no live token): a new token; the old one keeps its remaining lifetime.
  return issue(state, 'stable', appId, now, ttlSeconds * 1000);
}

/** WeCom `gettoken`: the app's current token while it is live, otherwise a new one. */
export function issueWecom(
  state: SandboxState,
  corpId: string,
  agentId: number,
  now: number,
  ttlSeconds: number,
): TokenRecord {
  const current = state.tokens.get(state.currentToken.get(`wecom:${corpId}:${agentId}`) ?? '');
  if (isLive(current, now)) return current;
  return issue(state, 'wecom', corpId, now, ttlSeconds * 1000, agentId);
}

/**
 * Validates the `access_token` query value of a business call and answers its owner.
 * OA: missing → 41001; unknown but token-shaped, superseded or revoked → 40001; malformed → 40014;
 * expired → 42001. WeCom: missing → 41001; unknown/revoked → 40014; expired → 42001.
 */
export function authenticate(
  state: SandboxState,
  platform: 'oa' | 'wecom',
  token: string | null,
  now: number,
): TokenRecord {
  if (token === null || token === '') throw new WxError(41001);
  const record = state.tokens.get(token);
  const matches = record !== undefined && (platform === 'wecom') === (record.kind === 'wecom');
  if (!record || !matches) {
    if (platform === 'wecom') throw new WxError(40014);
    throw new WxError(OA_TOKEN_SHAPE.test(token) ? 40001 : 40014);
  }
  if (record.invalidAfter !== undefined && now >= record.invalidAfter && now < record.expiresAt) {
    throw new WxError(platform === 'wecom' ? 40014 : 40001);
  }
  if (now >= record.expiresAt) throw new WxError(42001);
  return record;
}

/** Revokes every live token of `principal` (or of everyone): later calls get 40001 / 40014. */
export function revokeTokens(state: SandboxState, now: number, principal?: string): void {
  for (const record of state.tokens.values()) {
    if (principal === undefined || record.principal === principal) {
      record.invalidAfter = Math.min(record.invalidAfter ?? Number.POSITIVE_INFINITY, now);
    }
  }
}
