/**
 * The metadata the server owns: uid, creationTimestamp, generation,
 * deletion fields. Set on create, carried over on update (a client cannot
 * change them), generation bumped when the spec changes.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../api/types.ts';
import { timestamp } from '../context.ts';

// Kubernetes' SimpleNameGenerator alphabet: no vowels (no words), no 0/1/3 (look like letters).
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_NAME = 63;
const SUFFIX = 5;

/** `base` cut to leave room, plus 5 random characters (names.SimpleNameGenerator). */
export function generateName(base: string): string {
  const cut = base.length > MAX_NAME - SUFFIX ? base.slice(0, MAX_NAME - SUFFIX) : base;
  let suffix = '';
  for (let i = 0; i < SUFFIX; i++) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return cut + suffix;
}

/**
 * Sets the fields a create owns (FillObjectMetaSystemFields + generation 1)
 * in an object's metadata; done before validation and defaults, which may
 * read the uid (a Job's generated selector).
 */
export function fillCreateMeta(m: Record<string, unknown>, now: Date): void {
  m.uid = randomUUID();
  m.creationTimestamp = timestamp(now);
  m.generation = 1;
  delete m.resourceVersion;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete m.managedFields;
  delete m.selfLink;
}

/**
 * Copies the server-owned metadata of `old` into an update body before
 * validation (rest.BeforeUpdate): uid when absent, creationTimestamp,
 * deletion fields, generation.
 */
export function carryUpdateMeta(meta: Record<string, unknown>, old: KubeObject): void {
  const o = old.metadata as Record<string, unknown>;
  if (meta.uid === undefined || meta.uid === '') meta.uid = o.uid;
  for (const f of [
    'creationTimestamp',
    'generation',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
  ]) {
    if (o[f] === undefined) delete meta[f];
    else meta[f] = o[f];
  }
  delete meta.managedFields;
  delete meta.selfLink;
}

/** The generation an update stores: bumped when the spec (or, without a spec, nothing) changed. */
export function nextGeneration(obj: KubeObject, old: KubeObject): number {
  const prev = typeof old.metadata.generation === 'number' ? old.metadata.generation : 1;
  return isDeepStrictEqual(obj.spec, old.spec) ? prev : prev + 1;
}

/** The finalizers of an object (never undefined). */
export function finalizersOf(obj: KubeObject): string[] {
  const f = obj.metadata.finalizers;
  return Array.isArray(f) ? f : [];
}
