/**
 * Element order after a strategic merge, ported from strategicpatch/patch.go
 * (normalizeElementOrder and friends) so lists come out in the very order
 * Kubernetes produces: items named by the patch (or its $setElementOrder
 * list) in that order, interleaved with the server-only items in their live
 * order.
 */
import { badArgType, noMergeKey, strategicError } from './errors.ts';
import { goEqual, goFormatValue, isMap, type JsonMap } from './go-values.ts';
import { sliceStable } from './go-sort.ts';

/** A list's element kind as the ordering code distinguishes it. */
export type ElementKind = 'map' | 'scalar';

const DIRECTIVE = '$patch';

/** Index of the item whose merge key (maps) or value (scalars) equals `val`'s, or -1. */
function indexOf(list: readonly unknown[], val: unknown, mergeKey: string, kind: ElementKind) {
  const key = (item: unknown) => (kind === 'map' ? (isMap(item) ? item[mergeKey] : null) : item);
  const want = key(val);
  return list.findIndex((v) => goEqual(key(v), want));
}

/** findMapInSliceBasedOnKeyValue: the index of the map whose `key` equals `value`, or -1. */
export function findByMergeKey(list: readonly unknown[], key: string, value: unknown): number {
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (!isMap(item)) throw strategicError(`value for key ${i} is not a map`);
    if (Object.hasOwn(item, key) && goEqual(item[key], value)) return i;
  }
  return -1;
}

/** extractToDeleteItems: items without and with `$patch: delete`. */
export function splitDeletes(list: readonly unknown[]): [unknown[], unknown[]] {
  const keep: unknown[] = [];
  const del: unknown[] = [];
  for (const v of list) {
    if (!isMap(v)) throw badArgType('map[string]interface {}', v);
    (v[DIRECTIVE] === 'delete' ? del : keep).push(v);
  }
  return [keep, del];
}

function checkMergeKeys(mergeKey: string, ...lists: (readonly unknown[])[]) {
  for (const list of lists) {
    for (const item of list) {
      if (!isMap(item)) throw badArgType('map[string]interface {}', item);
      if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    }
  }
}

/** normalizeSliceOrder: sorts `toSort` by position in `order` (Go's SliceStable, same comparator). */
function normalizeSliceOrder(
  toSort: unknown[],
  order: readonly unknown[],
  mergeKey: string,
  kind: ElementKind,
): unknown[] {
  let deletes: unknown[] = [];
  let items = toSort;
  if (kind === 'map') {
    checkMergeKeys(mergeKey, toSort, order);
    [items, deletes] = splitDeletes(toSort);
  }
  sliceStable(items, (a, b) => {
    const ia = indexOf(order, a, mergeKey, kind);
    if (ia >= 0) {
      const ib = indexOf(order, b, mergeKey, kind);
      if (ib >= 0) return ia < ib;
    }
    return true;
  });
  return [...items, ...deletes];
}

/**
 * mergeSortedSlice: inserts the server-only items (`left`) into the patch
 * items (`right`) using the live order (`serverOrder`) where both are known.
 */
function mergeSortedSlice(
  left: readonly unknown[],
  right: readonly unknown[],
  serverOrder: readonly unknown[],
  mergeKey: string,
  kind: ElementKind,
): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexOf(serverOrder, left[i], mergeKey, kind);
      const ri = indexOf(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/** normalizeElementOrder: patch items in patch order, server-only items in live order, merged. */
export function normalizeElementOrder(
  patch: unknown[],
  serverOnly: unknown[],
  patchOrder: readonly unknown[],
  serverOrder: readonly unknown[],
  mergeKey: string,
  kind: ElementKind,
): unknown[] {
  const p = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
}

/** Splits `merged` into items present in `by` and the rest (partition*ByPresentInList). */
export function partitionByPresence(
  merged: readonly unknown[],
  by: readonly unknown[],
  mergeKey: string,
): [unknown[], unknown[]] {
  const present: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of merged) {
    let found: boolean;
    if (mergeKey === '') {
      found = by.some((b) => goEqual(b, v));
    } else {
      if (!isMap(v)) throw badArgType('map[string]interface {}', v);
      if (!Object.hasOwn(v, mergeKey)) throw noMergeKey(v, mergeKey);
      found = findByMergeKey(by, mergeKey, (v as JsonMap)[mergeKey]) >= 0;
    }
    (found ? present : serverOnly).push(v);
  }
  return [present, serverOnly];
}

/**
 * validatePatchWithSetOrderList: the patch list's items (deletions aside)
 * must appear in the $setElementOrder list, in the same relative order.
 */
export function validateSetOrder(
  patchList: readonly unknown[],
  setOrder: readonly unknown[],
  mergeKey: string,
): void {
  if (setOrder.length === 0 || patchList.length === 0) return;
  const items = mergeKey === '' ? patchList : splitDeletes(patchList)[0];
  let pi = 0;
  let si = 0;
  while (pi < items.length && si < setOrder.length) {
    const item = items[pi];
    if (isMap(item) && Object.hasOwn(item, DIRECTIVE)) {
      pi++;
      continue;
    }
    if (mergeKeyEqual(item, setOrder[si], mergeKey)) pi++;
    si++;
  }
  if (pi < items.length && si >= setOrder.length) {
    throw strategicError(
      `the order in patch list:\n${goFormatValue(patchList)}\n doesn't match $setElementOrder list:\n${goFormatValue(setOrder)}`,
    );
  }
}

function mergeKeyEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (mergeKey === '') return goEqual(left, right);
  if (!isMap(left)) throw badArgType('map[string]interface {}', left);
  if (!isMap(right)) throw badArgType('map[string]interface {}', right);
  if (!Object.hasOwn(left, mergeKey)) throw noMergeKey(left, mergeKey);
  if (!Object.hasOwn(right, mergeKey)) throw noMergeKey(right, mergeKey);
  return goEqual(left[mergeKey], right[mergeKey]);
}
