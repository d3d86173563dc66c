/**
 * Time as the kubelet's pure logic sees it: milliseconds since the epoch from
 * an injectable source, so backoff and probe tests drive a fake clock.
 */

/** A source of the current time. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * A metav1.Time string for `ms`: RFC 3339 at second precision, as the API
 * stores it ("2024-05-01T10:00:00Z"), so that regenerated statuses compare
 * equal to what was written.
 */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
