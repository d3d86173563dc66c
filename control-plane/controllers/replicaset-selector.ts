/**
 * Compiled label selectors of owners (ReplicaSets, Deployments), computed
 * once per cached object: informers replace objects on change, so a
 * WeakMap keyed by the object never serves a stale selector.
 */
import { ApiError } from '../api/errors.ts';
import { labelSelectorFromSpec, type LabelSelectorRequirement } from '../api/selectors.ts';
import type { LabelSelector } from '../api/types.ts';

const compiled = new WeakMap<object, LabelSelectorRequirement[] | null>();

/**
 * The requirements of `obj.spec.selector`, or undefined when the selector
 * is invalid (an unknown operator or a bad key): such an owner selects
 * nothing and its reconcile fails terminally.
 */
export function selectorOf(obj: {
  spec: { selector?: LabelSelector | undefined };
}): LabelSelectorRequirement[] | undefined {
  let reqs = compiled.get(obj);
  if (reqs === undefined) {
    try {
      reqs = labelSelectorFromSpec(obj.spec.selector);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      reqs = null;
    }
    compiled.set(obj, reqs);
  }
  return reqs ?? undefined;
}
