/**
 * The store contract suite: every backend (SQLite, etcd) runs it and must
 * pass it unchanged. It assumes only what store.ts promises: revisions
 * grow with every write (never absolute numbers; etcd skips some), keys are
 * listed in byte order, and errors are StoreErrors with a code. Each case
 * works under its own random key prefix, so runs and cases never interfere.
 *
 * @example
 *   runStoreContract('sqlite', () => openSqliteStore({ backend: 'sqlite', path }));
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Store } from '../../../control-plane/store/store.ts';
import { registerCrudCases } from './fixtures/contract-crud.ts';
import { registerListCases } from './fixtures/contract-list.ts';
import { registerWatchCases } from './fixtures/contract-watch.ts';

/** Hands each case the store opened for the suite. */
export type StoreRef = () => Store;

/**
 * Registers `describe(name)` with every contract case. `open` is called
 * once before the cases and `close` (default `store.close()`) once after.
 */
export function runStoreContract(
  name: string,
  open: () => Promise<Store>,
  close: (s: Store) => Promise<void> = (s) => s.close(),
): void {
  describe(name, () => {
    let store: Store | undefined;
    const ref: StoreRef = () => {
      assert.ok(store, 'the store under test did not open');
      return store;
    };
    before(async () => {
      store = await open();
    });
    after(async () => {
      if (store) await close(store);
    });
    it('names its backend', () => {
      assert.equal(typeof ref().backend, 'string');
      assert.ok(ref().backend.length > 0);
    });
    registerCrudCases(ref);
    registerListCases(ref);
    registerWatchCases(ref);
  });
}
