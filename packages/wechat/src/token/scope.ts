import { createHash } from 'node:crypto';

/**
 * 16 hex digits of sha256 over `parts` (joined by newlines): the part of a credential's cache key that tells
 * apart the same appId used with another secret, another API host or another token service. The secret never
 * appears in the key itself, and a changed secret or host never reuses a token cached for the old one.
 */
export function credentialScope(...parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}
