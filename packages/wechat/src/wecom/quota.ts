import { WechatQuotaError } from '../core/errors.js';
import type { Store } from '../store/types.js';

/**
 * WeCom `media/uploadimg` caps per corp (https://developer.work.weixin.qq.com/document/path/90256): 1,000 a
 * day, 3,000 a month.
 */
export const WECOM_UPLOADIMG_LIMITS = { day: 1000, month: 3000 } as const;

/** Usage of one quota: calls counted so far and the cap, per window. */
export interface QuotaUsage {
  day: { used: number; limit: number; window: string };
  month: { used: number; limit: number; window: string };
}

/** Day and month windows in China time (UTC+8), where WeCom counts. */
function windows(now = Date.now()): { day: string; month: string } {
  const iso = new Date(now + 8 * 3600_000).toISOString();
  return { day: iso.slice(0, 10), month: iso.slice(0, 7) };
}

/**
 * Counts calls of a capped API per account in the Store, so every process sharing the Store sees one budget.
 * `reserve()` counts one call before it is sent and refuses (WechatQuotaError) when that would pass a cap;
 * `refund()` gives it back when the call did not reach WeChat or was refused.
 */
export class QuotaCounter {
  constructor(
    private readonly store: Store,
    private readonly prefix: string,
    private readonly limits: { day: number; month: number },
    private readonly what: string,
  ) {}

  #keys(now?: number) {
    const w = windows(now);
    return { ...w, dayKey: `${this.prefix}:day:${w.day}`, monthKey: `${this.prefix}:month:${w.month}` };
  }

  /** Current usage (reads only). */
  async usage(): Promise<QuotaUsage> {
    const k = this.#keys();
    return {
      day: { used: (await this.store.get<number>(k.dayKey)) ?? 0, limit: this.limits.day, window: k.day },
      month: {
        used: (await this.store.get<number>(k.monthKey)) ?? 0,
        limit: this.limits.month,
        window: k.month,
      },
    };
  }

  /** Count one call; throws `WechatQuotaError` (nothing counted) when the day or month cap would be passed. */
  async reserve(): Promise<() => Promise<void>> {
    const k = this.#keys();
    const day = await this.store.incr(k.dayKey, 1, 2 * 86_400);
    if (day > this.limits.day) {
      await this.store.incr(k.dayKey, -1);
      throw new WechatQuotaError('day', day - 1, this.limits.day, this.what);
    }
    const month = await this.store.incr(k.monthKey, 1, 32 * 86_400);
    if (month > this.limits.month) {
      await this.store.incr(k.monthKey, -1);
      await this.store.incr(k.dayKey, -1);
      throw new WechatQuotaError('month', month - 1, this.limits.month, this.what);
    }
    return async () => {
      await this.store.incr(k.dayKey, -1);
      await this.store.incr(k.monthKey, -1);
    };
  }
}
