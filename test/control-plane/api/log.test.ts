/**
 * The structured logger: one JSON line per call at or above the threshold,
 * and `enabled` / `isEnabled` answering whether a level would be written
 * (so hot paths build a line's fields only when it is).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createLogger,
  isEnabled,
  type Logger,
  type LogLevel,
} from '../../../control-plane/api/log.ts';

const LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error'];

describe('log', () => {
  for (const threshold of LEVELS) {
    it(`at threshold ${threshold}, writes and reports enabled exactly the levels at or above it`, () => {
      const lines: string[] = [];
      const log = createLogger(
        { component: 'test' },
        { level: threshold, sink: (l) => lines.push(l) },
      );
      const expected = LEVELS.slice(LEVELS.indexOf(threshold));
      for (const level of LEVELS) log[level]('Something happened', { level_was: level });
      const written = lines.map((l) => (JSON.parse(l) as { level: string }).level);
      assert.deepEqual(written, expected);
      assert.deepEqual(
        LEVELS.filter((l) => isEnabled(log, l)),
        expected,
      );
      // A child keeps its parent's threshold.
      const child = log.child({ part: 'x' });
      assert.deepEqual(
        LEVELS.filter((l) => child.enabled?.(l)),
        expected,
      );
    });
  }

  it('writes the message, the base fields and the call fields, with errors reduced to their message', () => {
    const lines: string[] = [];
    const log = createLogger({ component: 'api' }, { level: 'info', sink: (l) => lines.push(l) });
    log.child({ resource: 'pods' }).warn('Write failed', {
      err: new Error('disk full', { cause: new Error('ENOSPC') }),
    });
    const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    assert.equal(line.msg, 'Write failed');
    assert.equal(line.level, 'warn');
    assert.equal(line.component, 'api');
    assert.equal(line.resource, 'pods');
    assert.deepEqual(line.err, { message: 'disk full', cause: 'ENOSPC' });
  });

  it('counts every level as enabled for a hand-made logger without enabled()', () => {
    const quiet: Logger = {
      debug() {},
      info() {},
      warn() {},
      error() {},
      child: () => quiet,
    };
    for (const level of LEVELS) assert.equal(isEnabled(quiet, level), true);
  });
});
