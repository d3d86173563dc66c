/**
 * List merging for strategic merge patch (mergeSliceHandler / mergeSlice of
 * strategicpatch/patch.go): lists with strategy "merge" merge by their merge
 * key (maps) or as a set (scalars); other lists are replaced.
 *
 * The Go code edits the live list in place (deleting entries shifts the
 * backing array, new entries are appended into the freed slots), and the
 * $setElementOrder step later reads that same array as the "live order".
 * The port mutates `original` the same way so the resulting order matches
 * Kubernetes exactly; callers pass a private copy.
 */
import { MERGEPATCH, badArgType, badPatchType, noMergeKey, strategicError } from './errors.ts';
import { goEqual, goFormatValue, goKind, type GoKind, type JsonMap } from './go-values.ts';
import type { Schema } from './patch-meta.ts';
import {
  findByMergeKey,
  normalizeElementOrder,
  partitionByPresence,
  type ElementKind,
} from './strategic-order.ts';

const DIRECTIVE = '$patch';

/** Merges one list item (a map) with its patch; supplied by the map-level merge. */
export type MergeItem = (original: JsonMap, patch: JsonMap, schema: Schema) => JsonMap;

/** Cleans a value taken from the patch as is (nulls and directives dropped). */
export type CleanValue = (v: unknown) => unknown;

/** mergeSliceHandler: merge when the strategy says so (or for a deletion list), else replace. */
export function mergeSliceHandler(
  original: unknown,
  patch: unknown,
  itemSchema: Schema,
  strategy: string,
  mergeKey: string,
  isDeleteList: boolean,
  hooks: { mergeItem: MergeItem; clean: CleanValue },
): unknown[] {
  if (!Array.isArray(original)) throw badArgType('[]interface {}', original);
  if (!Array.isArray(patch)) throw badArgType('[]interface {}', patch);
  if (strategy === 'merge' || isDeleteList) {
    return mergeSlice(original, patch, itemSchema, mergeKey, isDeleteList, hooks);
  }
  return patch;
}

/** sliceElementType: the common element kind of the lists, or the Go error. */
export function sliceElementType(...lists: (readonly unknown[])[]): ElementKind {
  let prev: GoKind | undefined;
  for (const list of lists) {
    for (const v of list) {
      const k = goKind(v);
      if (prev === undefined) {
        prev = k;
        if (k === 'slice') throw strategicError(MERGEPATCH.noListOfLists);
      } else if (prev !== k) {
        throw strategicError(`list element types are not identical: ${goFormatValue(lists)}`);
      }
    }
  }
  if (prev === undefined) throw strategicError('no elements in any of the given slices');
  return prev === 'map' ? 'map' : 'scalar';
}

function mergeSlice(
  original: unknown[],
  patch: unknown[],
  itemSchema: Schema,
  mergeKey: string,
  isDeleteList: boolean,
  hooks: { mergeItem: MergeItem; clean: CleanValue },
): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementType(original, patch);
  if (kind === 'scalar') {
    if (isDeleteList) return original.filter((v) => !patch.some((d) => goEqual(d, v)));
    // append(original, patch...) shares the live array only when nothing is appended
    const both = patch.length === 0 ? original : [...original, ...patch];
    const merged = both.slice(0, dedupeInPlace(both));
    const [present, serverOnly] = partitionByPresence(merged, patch, '');
    return normalizeElementOrder(present, serverOnly, patch, original, '', kind);
  }
  if (mergeKey === '') throw strategicError('cannot merge lists without merge key for type map');

  const live = new GoSlice(original);
  let replaced: unknown[] | undefined;
  const plain: unknown[] = [];
  for (const v of patch) {
    const item = v as JsonMap;
    if (!Object.hasOwn(item, DIRECTIVE)) {
      plain.push(v);
      continue;
    }
    const directive = item[DIRECTIVE];
    if (directive === 'delete') {
      if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
      live.deleteMatching(mergeKey, item[mergeKey]);
    } else if (directive === 'replace') {
      replaced = plain; // keep scanning: later $patch elements are pruned too
    } else if (directive === 'merge') {
      throw strategicError('merging lists cannot yet be specified in the patch');
    } else {
      throw badPatchType(directive, item);
    }
  }
  if (replaced !== undefined) {
    // `$patch: replace` in a list: the list becomes the patch's other items
    const [present, serverOnly] = partitionByPresence(plain, [], mergeKey);
    return normalizeElementOrder(present, serverOnly, [], plain, mergeKey, kind);
  }
  const items = plain;
  const liveOrder = live.view();
  for (const v of items) {
    const item = v as JsonMap;
    if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    const at = findByMergeKey(live.view(), mergeKey, item[mergeKey]);
    if (at >= 0) live.set(at, hooks.mergeItem(live.get(at) as JsonMap, item, itemSchema));
    else live.append(hooks.clean(item));
  }
  const [present, serverOnly] = partitionByPresence(live.view(), items, mergeKey);
  return normalizeElementOrder(present, serverOnly, items, liveOrder, mergeKey, kind);
}

/**
 * A Go slice over the live list's array (capacity = its length): deletions
 * shift entries left inside it and appends fill the freed tail, exactly the
 * writes the Go code makes to the array other code still reads.
 */
class GoSlice {
  private arr: unknown[];
  private len: number;
  private shared = true;

  constructor(arr: unknown[]) {
    this.arr = arr;
    this.len = arr.length;
  }

  view(): unknown[] {
    return this.arr.slice(0, this.len);
  }

  get(i: number): unknown {
    return this.arr[i];
  }

  set(i: number, v: unknown): void {
    this.arr[i] = v;
  }

  /** deleteMatchingEntries: removes every entry whose merge key equals `value`. */
  deleteMatching(key: string, value: unknown): void {
    for (;;) {
      const at = findByMergeKey(this.view(), key, value);
      if (at < 0) return;
      for (let j = at; j < this.len - 1; j++) this.arr[j] = this.arr[j + 1];
      this.len--;
    }
  }

  append(v: unknown): void {
    if (this.shared && this.len < this.arr.length) {
      this.arr[this.len++] = v;
      return;
    }
    if (this.shared) {
      // past capacity Go copies to a new array; the live array is no longer touched
      this.arr = this.arr.slice(0, this.len);
      this.shared = false;
    }
    this.arr.push(v);
    this.len++;
  }
}

/** deduplicateScalars, in place, returning the new length (Go's algorithm: it reorders). */
function dedupeInPlace(s: unknown[]): number {
  let last = s.length - 1;
  for (let i = 0; i < last; i++) {
    for (let j = i + 1; j <= last; j++) {
      if (goEqual(s[i], s[j])) {
        s[j] = s[last];
        last--;
        j--;
      }
    }
  }
  return last + 1;
}
