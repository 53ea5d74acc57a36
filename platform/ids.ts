/**
 * A stable UUID from a business key (sha256, shaped as a version-4 UUID), so re-emitting an
 * event for the same fact, or retrying a checkout with the same key, reuses the same id.
 */
import { createHash } from 'node:crypto';

export function stableId(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
