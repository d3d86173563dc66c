/**
 * Messages of k8s.io/apimachinery (meta/v1, runtime) and the small API
 * groups whose bodies kubectl posts (policy/v1 Eviction, autoscaling/v1
 * Scale).
 */
import { bool, int, mapOf, msg, msgs, skip, str, strs, type MessageSpec } from './schema.ts';

export const META_MESSAGES: Record<string, MessageSpec> = {
  ObjectMeta: {
    1: str('name'),
    2: str('generateName'),
    3: str('namespace'),
    4: str('selfLink'),
    5: str('uid'),
    6: str('resourceVersion'),
    7: int('generation'),
    8: msg('creationTimestamp', 'Time'),
    9: msg('deletionTimestamp', 'Time'),
    10: int('deletionGracePeriodSeconds', true),
    11: mapOf('labels', 'string'),
    12: mapOf('annotations', 'string'),
    13: msgs('ownerReferences', 'OwnerReference'),
    14: strs('finalizers'),
    17: skip('managedFields'),
  },
  OwnerReference: {
    1: str('kind'),
    3: str('name'),
    4: str('uid'),
    5: str('apiVersion'),
    6: bool('controller', true),
    7: bool('blockOwnerDeletion', true),
  },
  LabelSelector: {
    1: mapOf('matchLabels', 'string'),
    2: msgs('matchExpressions', 'LabelSelectorRequirement'),
  },
  LabelSelectorRequirement: { 1: str('key'), 2: str('operator'), 3: strs('values') },
  Condition: {
    1: str('type'),
    2: str('status'),
    3: int('observedGeneration'),
    4: msg('lastTransitionTime', 'Time'),
    5: str('reason'),
    6: str('message'),
  },
  DeleteOptions: {
    1: int('gracePeriodSeconds', true),
    2: msg('preconditions', 'Preconditions'),
    3: bool('orphanDependents', true),
    4: str('propagationPolicy', true),
    5: strs('dryRun'),
  },
  Preconditions: { 1: str('uid', true), 2: str('resourceVersion', true) },
  TypeMeta: { 1: str('apiVersion'), 2: str('kind') },
  // policy/v1
  Eviction: { 1: msg('metadata', 'ObjectMeta'), 2: msg('deleteOptions', 'DeleteOptions') },
  // autoscaling/v1
  Scale: {
    1: msg('metadata', 'ObjectMeta'),
    2: msg('spec', 'ScaleSpec'),
    3: msg('status', 'ScaleStatus'),
  },
  ScaleSpec: { 1: int('replicas') },
  ScaleStatus: { 1: int('replicas'), 2: str('selector') },
};
