/** Pod spec, pod template and pod status validation (ValidatePodSpec and friends in Kubernetes). */
import type { PodSpec, PodStatus, PodTemplateSpec } from '../types.ts';
import type { Causes } from './common.ts';
import { ipAddress, labelMap, nonNegative, oneOf, positive } from './common.ts';
import { validateContainers } from './container.ts';
import { child, duplicate, forbidden, index, invalid, required, tooMany } from './field-errors.ts';
import { validateAnnotations } from './meta.ts';
import { qualifiedNameErrors } from './labels.ts';
import { dns1123LabelErrors, dns1123SubdomainErrors } from './names.ts';
import { validateAffinity, validateTolerations, validateTopologySpread } from './scheduling.ts';
import { validateVolumes } from './volume.ts';

export const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'] as const;
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'] as const;
const POD_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;

/** What the owner of a pod spec allows (workload templates restrict restartPolicy). */
export interface PodSpecOptions {
  restartPolicies?: readonly string[];
  forbidActiveDeadline?: string;
}

/** Validates a pod spec at `path` ("spec" for pods, "spec.template.spec" for templates). */
export function validatePodSpec(
  out: Causes,
  path: string,
  spec: PodSpec,
  opts: PodSpecOptions = {},
): void {
  const volumes = validateVolumes(out, child(path, 'volumes'), spec.volumes ?? []);
  const ctx = { volumes, hostNetwork: spec.hostNetwork === true };
  const names = new Set<string>();
  if (spec.containers.length === 0) out.push(required(child(path, 'containers'), ''));
  validateContainers(out, child(path, 'containers'), spec.containers, 'regular', names, ctx);
  validateContainers(
    out,
    child(path, 'initContainers'),
    spec.initContainers ?? [],
    'init',
    names,
    ctx,
  );
  validateContainers(
    out,
    child(path, 'ephemeralContainers'),
    spec.ephemeralContainers ?? [],
    'ephemeral',
    names,
    ctx,
  );
  const policies = opts.restartPolicies ?? RESTART_POLICIES;
  oneOf(out, child(path, 'restartPolicy'), spec.restartPolicy, policies, true);
  oneOf(out, child(path, 'dnsPolicy'), spec.dnsPolicy, DNS_POLICIES, true);
  if (spec.dnsPolicy === 'None' && !spec.dnsConfig)
    out.push(
      required(child(path, 'dnsConfig'), 'must provide `dnsConfig` when `dnsPolicy` is None'),
    );
  validateDnsConfig(out, child(path, 'dnsConfig'), spec);
  labelMap(out, child(path, 'nodeSelector'), spec.nodeSelector);
  for (const f of ['serviceAccountName', 'nodeName'] as const) {
    const v = spec[f];
    if (v) for (const m of dns1123SubdomainErrors(v)) out.push(invalid(child(path, f), v, m));
  }
  for (const f of ['hostname', 'subdomain'] as const) {
    const v = spec[f];
    if (v) for (const m of dns1123LabelErrors(v)) out.push(invalid(child(path, f), v, m));
  }
  nonNegative(
    out,
    child(path, 'terminationGracePeriodSeconds'),
    spec.terminationGracePeriodSeconds,
  );
  if (spec.activeDeadlineSeconds !== undefined) {
    if (opts.forbidActiveDeadline)
      out.push(forbidden(child(path, 'activeDeadlineSeconds'), opts.forbidActiveDeadline));
    else positive(out, child(path, 'activeDeadlineSeconds'), spec.activeDeadlineSeconds);
  }
  validateTolerations(out, child(path, 'tolerations'), spec.tolerations ?? []);
  if (spec.affinity) validateAffinity(out, child(path, 'affinity'), spec.affinity);
  validateTopologySpread(
    out,
    child(path, 'topologySpreadConstraints'),
    spec.topologySpreadConstraints ?? [],
  );
  validateMisc(out, path, spec);
}

function validateDnsConfig(out: Causes, path: string, spec: PodSpec): void {
  const c = spec.dnsConfig;
  if (!c) return;
  const ns = c.nameservers ?? [];
  if (ns.length > 3)
    out.push(invalid(child(path, 'nameservers'), ns, 'must not have more than 3 nameservers'));
  ns.forEach((n, i) => ipAddress(out, index(child(path, 'nameservers'), i), n));
  if (spec.dnsPolicy === 'None' && ns.length === 0)
    out.push(
      required(
        child(path, 'nameservers'),
        'must provide at least one DNS nameserver when `dnsPolicy` is None',
      ),
    );
  const searches = c.searches ?? [];
  if (searches.length > 32)
    out.push(invalid(child(path, 'searches'), searches, 'must not have more than 32 search paths'));
  (c.options ?? []).forEach((o, i) => {
    if (!o.name)
      out.push(
        required(child(index(child(path, 'options'), i), 'name'), 'Option.Name must not be empty'),
      );
  });
}

function validateMisc(out: Causes, path: string, spec: PodSpec): void {
  (spec.hostAliases ?? []).forEach((h, i) =>
    ipAddress(out, child(index(child(path, 'hostAliases'), i), 'ip'), h.ip),
  );
  (spec.readinessGates ?? []).forEach((g, i) => {
    for (const m of qualifiedNameErrors(g.conditionType))
      out.push(
        invalid(
          child(index(child(path, 'readinessGates'), i), 'conditionType'),
          g.conditionType,
          m,
        ),
      );
  });
  const gates = new Set<string>();
  (spec.schedulingGates ?? []).forEach((g, i) => {
    const p = child(index(child(path, 'schedulingGates'), i), 'name');
    for (const m of qualifiedNameErrors(g.name)) out.push(invalid(p, g.name, m));
    if (gates.has(g.name)) out.push(duplicate(p, g.name));
    gates.add(g.name);
  });
  if (spec.os)
    oneOf(out, child(child(path, 'os'), 'name'), spec.os.name, ['linux', 'windows'], true);
  if (spec.preemptionPolicy !== undefined)
    oneOf(out, child(path, 'preemptionPolicy'), spec.preemptionPolicy, [
      'Never',
      'PreemptLowerPriority',
    ]);
  const sc = spec.securityContext;
  if (sc) {
    const sp = child(path, 'securityContext');
    for (const f of ['runAsUser', 'runAsGroup', 'fsGroup'] as const) {
      const v = sc[f];
      if (v !== undefined && (v < 0 || v > 2147483647))
        out.push(invalid(child(sp, f), v, 'must be between 0 and 2147483647, inclusive'));
    }
    if (sc.fsGroupChangePolicy !== undefined)
      oneOf(out, child(sp, 'fsGroupChangePolicy'), sc.fsGroupChangePolicy, [
        'OnRootMismatch',
        'Always',
      ]);
    if (sc.seccompProfile)
      oneOf(
        out,
        child(child(sp, 'seccompProfile'), 'type'),
        sc.seccompProfile.type,
        ['Localhost', 'RuntimeDefault', 'Unconfined'],
        true,
      );
  }
}

export function validatePodTemplate(
  out: Causes,
  path: string,
  t: PodTemplateSpec | undefined,
  opts: PodSpecOptions,
): void {
  if (!t) {
    out.push(required(path, ''));
    return;
  }
  labelMap(out, child(child(path, 'metadata'), 'labels'), t.metadata?.labels);
  validateAnnotations(out, child(child(path, 'metadata'), 'annotations'), t.metadata?.annotations);
  validatePodSpec(out, child(path, 'spec'), t.spec, opts);
}

/** Pod status: phase enum, IPs, non-negative restart counts, unique condition types. */
export function validatePodStatus(out: Causes, s: PodStatus | undefined): void {
  if (!s) return;
  oneOf(out, 'status.phase', s.phase, POD_PHASES);
  ipAddress(out, 'status.podIP', s.podIP);
  ipAddress(out, 'status.hostIP', s.hostIP);
  const ips = s.podIPs ?? [];
  if (ips.length > 2) out.push(tooMany('status.podIPs', ips.length, 2));
  ips.forEach((ip, i) => ipAddress(out, child(index('status.podIPs', i), 'ip'), ip.ip));
  (s.hostIPs ?? []).forEach((ip, i) =>
    ipAddress(out, child(index('status.hostIPs', i), 'ip'), ip.ip),
  );
  if (s.podIP && ips.length > 0 && ips[0]?.ip !== s.podIP)
    out.push(invalid('status.podIPs[0].ip', ips[0]?.ip ?? '', 'must be equal to `podIP`'));
  for (const list of [
    'containerStatuses',
    'initContainerStatuses',
    'ephemeralContainerStatuses',
  ] as const) {
    (s[list] ?? []).forEach((cs, i) =>
      nonNegative(out, child(index(`status.${list}`, i), 'restartCount'), cs.restartCount),
    );
  }
  const types = new Set<string>();
  (s.conditions ?? []).forEach((c, i) => {
    const p = index('status.conditions', i);
    if (types.has(c.type)) out.push(duplicate(child(p, 'type'), c.type));
    types.add(c.type);
    oneOf(out, child(p, 'status'), c.status, ['True', 'False', 'Unknown'], true);
  });
}
