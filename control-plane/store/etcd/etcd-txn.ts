/**
 * The etcd transactions behind the store's writes, as the Kubernetes API
 * server builds them, and the StoreError a failed comparison means.
 * Each write is one transaction: a comparison on the key's revisions, the
 * write when it holds, and a read of the key when it does not (so the
 * error can say why without a second round trip).
 */
import type { ICompare, IResponseOp, ITxnRequest } from 'etcd3';
import { StoreError } from '../errors.ts';

/** If(createRevision == 0) Then(put) Else(get): create only when the key is absent. */
export function createTxn(key: Buffer, value: string): ITxnRequest {
  return {
    compare: [{ key, target: 'Create', result: 'Equal', create_revision: 0 }],
    success: [{ request_put: { key, value: Buffer.from(value) } }],
    failure: [{ request_range: { key } }],
  };
}

/** If(modRevision == expected) Then(put) Else(get). */
export function updateTxn(key: Buffer, value: string, expected: number): ITxnRequest {
  return {
    compare: unchangedSince(key, expected),
    success: [{ request_put: { key, value: Buffer.from(value) } }],
    failure: [{ request_range: { key } }],
  };
}

/** If(modRevision == expected, or the key exists) Then(delete with prevKv) Else(get). */
export function deleteTxn(key: Buffer, expected: number | undefined): ITxnRequest {
  return {
    compare:
      expected === undefined
        ? [{ key, target: 'Create', result: 'Greater', create_revision: 0 }]
        : unchangedSince(key, expected),
    success: [{ request_delete_range: { key, prev_kv: true } }],
    failure: [{ request_range: { key } }],
  };
}

/**
 * The error for a transaction whose comparison failed, from its Else read:
 * 'NotFound' when the key is absent, else 'Conflict' carrying the key's
 * current modRevision.
 */
export function casFailure(
  key: string,
  expected: number | undefined,
  failure: IResponseOp | undefined,
): StoreError {
  const current = failure?.response_range.kvs[0];
  if (!current) return new StoreError('NotFound', `${key} does not exist`);
  const rev = Number(current.mod_revision);
  return new StoreError(
    'Conflict',
    `${key} was modified at revision ${rev}, after the expected revision ${String(expected)}; read it again and retry`,
    { revision: rev },
  );
}

function unchangedSince(key: Buffer, modRevision: number): ICompare[] {
  const compare: ICompare[] = [{ key, target: 'Mod', result: 'Equal', mod_revision: modRevision }];
  // A missing key's modRevision compares as 0: demand that it exists.
  if (modRevision === 0) {
    compare.push({ key, target: 'Create', result: 'Greater', create_revision: 0 });
  }
  return compare;
}
