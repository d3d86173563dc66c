/**
 * Kubernetes timestamps (RFC 3339, UTC, whole seconds), formatted once per
 * second by the server: every call still gets its own second's text,
 * whatever order the clock's readings come in.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { timestamp } from '../../../control-plane/apiserver/context.ts';

const readings: [string, string][] = [
  ['2025-03-04T05:06:07.000Z', '2025-03-04T05:06:07Z'],
  ['2025-03-04T05:06:07.999Z', '2025-03-04T05:06:07Z'],
  ['2025-03-04T05:06:08.001Z', '2025-03-04T05:06:08Z'],
  ['2025-03-04T05:06:07.500Z', '2025-03-04T05:06:07Z'],
  ['1969-12-31T23:59:59.500Z', '1969-12-31T23:59:59Z'],
  ['1970-01-01T00:00:00.000Z', '1970-01-01T00:00:00Z'],
  ['1969-12-31T23:59:59.999Z', '1969-12-31T23:59:59Z'],
  ['+010000-01-01T00:00:00.250Z', '+010000-01-01T00:00:00Z'],
  ['2025-03-04T05:06:08.999Z', '2025-03-04T05:06:08Z'],
];

describe('timestamp', () => {
  it('gives each reading its own second, in any order', () => {
    for (const [iso, want] of readings) assert.equal(timestamp(new Date(iso)), want, iso);
  });

  it('throws for an invalid date, as Date.toISOString does', () => {
    assert.throws(() => timestamp(new Date(NaN)), RangeError);
  });
});
