/** Deployment, ReplicaSet, DaemonSet and Job validation (apps and batch validation in Kubernetes). */
import type {
  DaemonSet,
  Deployment,
  Job,
  LabelSelector,
  PodTemplateSpec,
  ReplicaSet,
} from '../types.ts';
import type { Causes } from './common.ts';
import {
  labelSelector,
  nonNegative,
  oneOf,
  positive,
  selectorEmpty,
  selectorMatches,
} from './common.ts';
import { IMMUTABLE, child, forbidden, invalid, required } from './field-errors.ts';
import { validatePodTemplate } from './pod.ts';

const ALWAYS = ['Always'] as const;
const JOB_RESTART = ['OnFailure', 'Never'] as const;
const PERCENT_ERR =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

/** Selector present, non-empty, valid, and matching the template labels. */
function selectorAndTemplate(
  out: Causes,
  kind: string,
  sel: LabelSelector | undefined,
  template: PodTemplateSpec | undefined,
): void {
  if (!sel) {
    out.push(required('spec.selector', ''));
    return;
  }
  if (selectorEmpty(sel))
    out.push(invalid('spec.selector', 'LabelSelector', `empty selector is invalid for ${kind}`));
  labelSelector(out, 'spec.selector', sel);
  const labels = template?.metadata?.labels ?? {};
  if (template && !selectorMatches(sel, labels))
    out.push(
      invalid(
        'spec.template.metadata.labels',
        labels,
        '`selector` does not match template `labels`',
      ),
    );
}

/** maxUnavailable/maxSurge: a non-negative int or a percentage ≤ 100% (maxUnavailable). */
function intOrPercent(
  out: Causes,
  path: string,
  v: number | string | undefined,
  max100: boolean,
): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') {
    nonNegative(out, path, v);
    return v;
  }
  if (!/^\d+%$/.test(v)) {
    out.push(invalid(path, v, PERCENT_ERR));
    return undefined;
  }
  const n = Number(v.slice(0, -1));
  if (max100 && n > 100) out.push(invalid(path, v, 'must not be greater than 100%'));
  return n;
}

function rollingUpdate(
  out: Causes,
  path: string,
  ru: { maxUnavailable?: number | string; maxSurge?: number | string },
): void {
  const unavailable = intOrPercent(out, child(path, 'maxUnavailable'), ru.maxUnavailable, true);
  const surge = intOrPercent(out, child(path, 'maxSurge'), ru.maxSurge, false);
  if (unavailable === 0 && surge === 0)
    out.push(
      invalid(
        child(path, 'maxUnavailable'),
        ru.maxUnavailable,
        'may not be 0 when `maxSurge` is 0',
      ),
    );
}

export function validateDeployment(out: Causes, d: Deployment): void {
  const s = d.spec;
  nonNegative(out, 'spec.replicas', s.replicas);
  selectorAndTemplate(out, 'deployment', s.selector, s.template);
  validatePodTemplate(out, 'spec.template', s.template, {
    restartPolicies: ALWAYS,
    forbidActiveDeadline: 'activeDeadlineSeconds in Deployment is not Supported',
  });
  const st = s.strategy;
  if (st) {
    oneOf(out, 'spec.strategy.type', st.type, ['Recreate', 'RollingUpdate'], true);
    if (st.type === 'Recreate' && st.rollingUpdate)
      out.push(
        forbidden(
          'spec.strategy.rollingUpdate',
          "may not be specified when strategy `type` is 'Recreate'",
        ),
      );
    if (st.rollingUpdate) rollingUpdate(out, 'spec.strategy.rollingUpdate', st.rollingUpdate);
  }
  nonNegative(out, 'spec.minReadySeconds', s.minReadySeconds);
  nonNegative(out, 'spec.revisionHistoryLimit', s.revisionHistoryLimit);
  if (s.progressDeadlineSeconds !== undefined) {
    nonNegative(out, 'spec.progressDeadlineSeconds', s.progressDeadlineSeconds);
    if (s.progressDeadlineSeconds <= (s.minReadySeconds ?? 0))
      out.push(
        invalid(
          'spec.progressDeadlineSeconds',
          s.progressDeadlineSeconds,
          'must be greater than minReadySeconds',
        ),
      );
  }
}

export function validateReplicaSet(out: Causes, rs: ReplicaSet): void {
  const s = rs.spec;
  nonNegative(out, 'spec.replicas', s.replicas);
  nonNegative(out, 'spec.minReadySeconds', s.minReadySeconds);
  selectorAndTemplate(out, 'deployment', s.selector, s.template);
  validatePodTemplate(out, 'spec.template', s.template, {
    restartPolicies: ALWAYS,
    forbidActiveDeadline: 'activeDeadlineSeconds in ReplicaSet is not Supported',
  });
}

export function validateDaemonSet(out: Causes, ds: DaemonSet): void {
  const s = ds.spec;
  selectorAndTemplate(out, 'daemonset', s.selector, s.template);
  validatePodTemplate(out, 'spec.template', s.template, {
    restartPolicies: ALWAYS,
    forbidActiveDeadline: 'activeDeadlineSeconds in DaemonSet is not Supported',
  });
  const u = s.updateStrategy;
  if (u) {
    oneOf(out, 'spec.updateStrategy.type', u.type, ['OnDelete', 'RollingUpdate'], true);
    if (u.rollingUpdate) rollingUpdate(out, 'spec.updateStrategy.rollingUpdate', u.rollingUpdate);
  }
  nonNegative(out, 'spec.minReadySeconds', s.minReadySeconds);
  nonNegative(out, 'spec.revisionHistoryLimit', s.revisionHistoryLimit);
}

export function validateJob(out: Causes, job: Job): void {
  const s = job.spec;
  nonNegative(out, 'spec.parallelism', s.parallelism);
  nonNegative(out, 'spec.completions', s.completions);
  nonNegative(out, 'spec.backoffLimit', s.backoffLimit);
  nonNegative(out, 'spec.ttlSecondsAfterFinished', s.ttlSecondsAfterFinished);
  positive(out, 'spec.activeDeadlineSeconds', s.activeDeadlineSeconds);
  oneOf(out, 'spec.completionMode', s.completionMode, ['NonIndexed', 'Indexed']);
  if (s.completionMode === 'Indexed' && s.completions === undefined)
    out.push(required('spec.completions', 'when completion mode is Indexed'));
  if (s.selector) {
    labelSelector(out, 'spec.selector', s.selector);
    if (!selectorMatches(s.selector, s.template.metadata?.labels ?? {}))
      out.push(
        invalid(
          'spec.template.metadata.labels',
          s.template.metadata?.labels ?? {},
          '`selector` does not match template `labels`',
        ),
      );
  } else if (s.manualSelector === true) {
    out.push(required('spec.selector', ''));
  }
  validatePodTemplate(out, 'spec.template', s.template, { restartPolicies: JOB_RESTART });
  if (s.podReplacementPolicy !== undefined)
    oneOf(out, 'spec.podReplacementPolicy', s.podReplacementPolicy, [
      'TerminatingOrFailed',
      'Failed',
    ]);
}

/** On update: apps selectors never change; a Job's selector, template, completions and mode neither. */
export function validateWorkloadUpdate(
  out: Causes,
  kind: string,
  spec: Record<string, unknown>,
  old: Record<string, unknown>,
): void {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (!same(spec['selector'], old['selector']))
    out.push(invalid('spec.selector', spec['selector'] ?? null, IMMUTABLE));
  if (kind !== 'Job') return;
  // Kubernetes allows a suspended job's scheduling directives to change; the rest of the template is fixed.
  if (!same(spec['template'], old['template']))
    out.push(invalid('spec.template', 'PodTemplateSpec', IMMUTABLE));
  if (!same(spec['completionMode'], old['completionMode']))
    out.push(invalid('spec.completionMode', spec['completionMode'] ?? null, IMMUTABLE));
  if (spec['completionMode'] !== 'Indexed' && !same(spec['completions'], old['completions']))
    out.push(invalid('spec.completions', spec['completions'] ?? null, IMMUTABLE));
}
