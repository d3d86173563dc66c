import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  isTransientError,
  retryOnConflict,
  withRetry,
} from '../../../../control-plane/api/client/retry.ts';
import { TransportError } from '../../../../control-plane/api/client/transport.ts';
import { ApiError } from '../../../../control-plane/api/errors.ts';

const conflict = () =>
  ApiError.conflict({ kind: 'configmaps', name: 'c' }, 'the object has been modified');

// A function failing with the given errors in turn, then returning 'ok'.
function failing(errors: unknown[]) {
  let calls = 0;
  const fn = async () => {
    calls++;
    const err = errors.shift();
    if (err) throw err;
    return 'ok';
  };
  return { fn, calls: () => calls };
}

describe('retry', () => {
  test('retryOnConflict re-runs until the write goes through', async () => {
    const f = failing([conflict(), conflict(), conflict()]);
    assert.equal(await retryOnConflict(f.fn, { initialMs: 1 }), 'ok');
    assert.equal(f.calls(), 4);
  });

  test('retryOnConflict gives up after `steps` attempts with the last Conflict', async () => {
    const f = failing([conflict(), conflict(), conflict()]);
    await assert.rejects(retryOnConflict(f.fn, { steps: 2, initialMs: 1 }), { reason: 'Conflict' });
    assert.equal(f.calls(), 2);
  });

  const notRetried = [
    { name: 'AlreadyExists (also 409)', err: ApiError.alreadyExists({ kind: 'pods', name: 'p' }) },
    { name: 'NotFound', err: ApiError.notFound({ kind: 'pods', name: 'p' }) },
    { name: 'a plain Error', err: new Error('boom') },
  ];
  for (const tc of notRetried) {
    test(`retryOnConflict does not retry ${tc.name}`, async () => {
      const f = failing([tc.err]);
      await assert.rejects(retryOnConflict(f.fn, { initialMs: 1 }), tc.err);
      assert.equal(f.calls(), 1);
    });
  }

  const transient: { name: string; err: unknown; want: boolean }[] = [
    { name: 'connection refused', err: new TransportError('ECONNREFUSED', 'x'), want: true },
    { name: '500', err: ApiError.internal('x'), want: true },
    { name: '503', err: new ApiError('ServiceUnavailable', 'x'), want: true },
    { name: '429', err: new ApiError('TooManyRequests', 'x'), want: true },
    { name: '501', err: new ApiError('InternalError', 'x', undefined, { code: 501 }), want: false },
    { name: '409 Conflict', err: conflict(), want: false },
    { name: '422', err: ApiError.invalid('Pod', 'p', []), want: false },
    { name: 'plain Error', err: new Error('x'), want: false },
  ];
  for (const tc of transient) {
    test(`isTransientError: ${tc.name} -> ${tc.want}`, () => {
      assert.equal(isTransientError(tc.err), tc.want);
    });
  }

  test('withRetry retries transient failures and honours Retry-After', async () => {
    const busy = new ApiError('TooManyRequests', 'slow down', { retryAfterSeconds: 0.05 });
    const f = failing([new TransportError('ECONNRESET', 'reset'), busy]);
    const start = performance.now();
    assert.equal(await withRetry(f.fn, { initialMs: 1 }), 'ok');
    assert.equal(f.calls(), 3);
    assert.ok(performance.now() - start >= 45, 'waited for Retry-After');
  });

  test('withRetry stops when its signal aborts', async () => {
    const ac = new AbortController();
    const f = failing([
      new TransportError('ECONNREFUSED', 'a'),
      new TransportError('ECONNREFUSED', 'b'),
    ]);
    const p = withRetry(f.fn, { initialMs: 60_000, signal: ac.signal });
    setImmediate(() => ac.abort());
    await assert.rejects(p, { code: 'ECONNREFUSED', message: 'a' });
    assert.equal(f.calls(), 1);
  });
});
