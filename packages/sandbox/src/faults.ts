/**
 * Seeded fault injection (SandboxFaults): latency, -1 busy answers, 45011, 45009, HTTP 502, dropped connections (before
 * or after the request was carried out), the 40164 IP whitelist. Decisions come from the state's fault PRNG, so a given seed and request
 * order give the same faults.
 */
import type { SandboxState } from './state.js';
import type { SandboxFaults, SandboxRateFaults } from './types.js';
import { WxError } from './wx-error.js';

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'drop' }
  | { kind: 'http5xx' }
  | { kind: 'error'; error: WxError; name: 'busy' | 'rateLimit' | 'quota' };

/** The faults in force for endpoint `api` (its `endpoints` entry over the global rates). */
export function faultsFor(faults: SandboxFaults, api: string): SandboxFaults {
  const own: SandboxRateFaults | undefined = faults.endpoints?.[api];
  return own ? { ...faults, ...own } : faults;
}

/** Milliseconds to wait before answering: `latencyMs` + a seeded draw in [0, jitterMs). */
export function latencyFor(faults: SandboxFaults, state: SandboxState): number {
  const fixed = faults.latencyMs ?? 0;
  const jitter = faults.jitterMs ? state.faultRandom.next() * faults.jitterMs : 0;
  return fixed + jitter;
}

/**
 * The 40164 check (OA) / 60020 (WeCom). `ip` is the caller's IPv4 or IPv6 address without `::ffff:`. WeChat's
 * wording: `invalid ip 1.2.3.4 ipv6 ::ffff:1.2.3.4, not in whitelist`
 * (https://developers.weixin.qq.com/doc/subscription/api/base/api_getaccesstoken.html).
 */
export function checkWhitelist(
  faults: SandboxFaults,
  ip: string,
  platform: 'oa' | 'wecom',
  tokenEndpoint: boolean,
): void {
  const wl = faults.ipWhitelist;
  if (!wl) return;
  if (wl.appliesTo === 'token' && !tokenEndpoint) return;
  const allowed = wl.allowed.map((a) => a.replace(/^::ffff:/, ''));
  if (allowed.includes(ip)) return;
  if (platform === 'wecom') throw new WxError(60020, `not allow to access from your ip, from ip: ${ip}`);
  const v6 = ip.includes(':') ? ip : `::ffff:${ip}`;
  throw new WxError(40164, `invalid ip ${ip} ipv6 ${v6}, not in whitelist`);
}

/** Drop / busy / 45011 for one request, honouring `scope` ('api' spares the token endpoints). */
export function randomFault(
  faults: SandboxFaults,
  state: SandboxState,
  tokenEndpoint: boolean,
): FaultDecision {
  if ((faults.scope ?? 'api') === 'api' && tokenEndpoint) return { kind: 'none' };
  if (faults.dropRate && state.faultRandom.next() < faults.dropRate) return { kind: 'drop' };
  if (faults.busyRate && state.faultRandom.next() < faults.busyRate)
    return { kind: 'error', error: new WxError(-1), name: 'busy' };
  if (faults.rateLimitRate && state.faultRandom.next() < faults.rateLimitRate) {
    return { kind: 'error', error: new WxError(45011), name: 'rateLimit' };
  }
  // Drawn only when set, so seeded runs that predate these two faults see the same sequence.
  if (faults.http5xxRate && state.faultRandom.next() < faults.http5xxRate) return { kind: 'http5xx' };
  if (faults.quotaRate && state.faultRandom.next() < faults.quotaRate) {
    return { kind: 'error', error: new WxError(45009), name: 'quota' };
  }
  return { kind: 'none' };
}

/**
 * Whether to carry this request out and then destroy the connection instead of answering (`dropAnswerRate`),
 * honouring `scope`. Draws from the fault PRNG only when the rate is set, so other seeded runs are unchanged.
 */
export function dropAnswer(faults: SandboxFaults, state: SandboxState, tokenEndpoint: boolean): boolean {
  if ((faults.scope ?? 'api') === 'api' && tokenEndpoint) return false;
  return !!faults.dropAnswerRate && state.faultRandom.next() < faults.dropAnswerRate;
}
