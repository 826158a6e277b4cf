/**
 * Seeded randomness: every id, token, rid and fault decision comes from one of these streams, so a
 * sandbox started with the same seed answers the same sequence of requests identically.
 */

const ALPHABET_B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const ALPHABET_HEX = '0123456789abcdef';

/** mulberry32: tiny, fast, good enough for test fixtures (not for secrets). */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Where the stream stands, to resume it after a restart (`SeededRandom.resume`). */
  get position(): number {
    return this.state;
  }

  /** A stream continuing from `position` (as read from `.position`). */
  static resume(position: number): SeededRandom {
    const random = new SeededRandom(0);
    random.state = position >>> 0;
    return random;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** `length` characters of base64url, e.g. for media_id / access_token bodies. */
  b64url(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += ALPHABET_B64URL[this.int(64)];
    return out;
  }

  /** `length` characters of [A-Za-z0-9], like the path segment of a mmbiz URL. */
  alnum(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += ALPHABET_B64URL[this.int(62)];
    return out;
  }

  hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += ALPHABET_HEX[this.int(16)];
    return out;
  }

  digits(length: number): string {
    let out = String(1 + this.int(9));
    for (let i = 1; i < length; i++) out += String(this.int(10));
    return out;
  }
}
