/**
 * DeleteOptions from a request: the query parameters, overridden by a
 * DeleteOptions body when one is sent (kubectl sends a body), checked as
 * Kubernetes' ValidateDeleteOptions checks them.
 */
import { ApiError, type StatusCause } from '../../api/errors.ts';
import { asRecord } from './admit.ts';
import type { DeleteOpts } from './hooks.ts';

const POLICIES = ['Foreground', 'Background', 'Orphan'] as const;

export function parseDeleteOptions(body: unknown, q: URLSearchParams): DeleteOpts {
  const merged: Record<string, unknown> = {};
  const grace = q.get('gracePeriodSeconds');
  if (grace !== null && grace !== '') merged.gracePeriodSeconds = Number(grace);
  const policy = q.get('propagationPolicy');
  if (policy !== null && policy !== '') merged.propagationPolicy = policy;
  const orphan = q.get('orphanDependents');
  if (orphan !== null && orphan !== '')
    merged.orphanDependents = orphan === 'true' || orphan === '1';
  const dry = q.getAll('dryRun').filter((v) => v !== '');
  if (dry.length) merged.dryRun = dry;
  if (body !== undefined) Object.assign(merged, asRecord(body, 'the DeleteOptions body'));

  const causes: StatusCause[] = [];
  const g = merged.gracePeriodSeconds;
  if (g !== undefined && g !== null && !(typeof g === 'number' && Number.isInteger(g))) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'gracePeriodSeconds',
      message: `Invalid value: ${JSON.stringify(g)}: must be an integer`,
    });
  }
  const p = merged.propagationPolicy;
  if (p !== undefined && p !== null && !POLICIES.includes(p as (typeof POLICIES)[number])) {
    causes.push({
      reason: 'FieldValueNotSupported',
      field: 'propagationPolicy',
      message: `Unsupported value: ${JSON.stringify(p)}: supported values: "Foreground", "Background", "Orphan"`,
    });
  }
  const o = merged.orphanDependents;
  if (typeof o === 'boolean' && p !== undefined && p !== null) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'orphanDependents',
      message: `Invalid value: ${o}: Cannot set both OrphanDependents and PropagationPolicy`,
    });
  }
  const dryRun = Array.isArray(merged.dryRun) ? merged.dryRun : [];
  for (const v of dryRun) {
    if (v !== 'All') {
      causes.push({
        reason: 'FieldValueNotSupported',
        field: 'dryRun',
        message: `Unsupported value: ${JSON.stringify(v)}: supported values: "All"`,
      });
    }
  }
  if (causes.length) throw ApiError.invalid('DeleteOptions', '', causes);

  const pre =
    merged.preconditions !== undefined && merged.preconditions !== null
      ? asRecord(merged.preconditions, 'preconditions')
      : undefined;
  return {
    gracePeriodSeconds: typeof g === 'number' ? g : undefined,
    propagationPolicy:
      typeof p === 'string'
        ? (p as DeleteOpts['propagationPolicy'])
        : typeof o === 'boolean'
          ? o
            ? 'Orphan'
            : 'Background'
          : undefined,
    preconditions: pre
      ? {
          ...(typeof pre.uid === 'string' ? { uid: pre.uid } : {}),
          ...(typeof pre.resourceVersion === 'string'
            ? { resourceVersion: pre.resourceVersion }
            : {}),
        }
      : undefined,
    dryRun: dryRun.length > 0,
  };
}
