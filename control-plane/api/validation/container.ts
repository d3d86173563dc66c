/** Container validation: names, image, ports, env, resources, mounts, probes (validateContainers in Kubernetes). */
import type { Container, EnvVar, Probe, ResourceRequirements } from '../types.ts';
import type { Causes } from './common.ts';
import { nonNegative, oneOf, portNumOrName, portNumber, positive } from './common.ts';
import { child, duplicate, forbidden, index, invalid, key, required } from './field-errors.ts';
import { qualifiedNameErrors } from './labels.ts';
import { dns1123LabelErrors, envVarNameErrors, ianaSvcNameErrors } from './names.ts';
import { parseQuantity } from './quantity.ts';

export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'] as const;
const STANDARD_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage', 'storage']);

/** Which list the containers come from: rules differ for init and ephemeral containers. */
export type ContainerKind = 'regular' | 'init' | 'ephemeral';

/** Context shared by every container of one pod spec. */
export interface ContainerContext {
  volumes: Set<string>;
  hostNetwork: boolean;
}

/** Validates one container list; `names` collects names across the pod's lists to catch duplicates. */
export function validateContainers(
  out: Causes,
  path: string,
  containers: Container[],
  kind: ContainerKind,
  names: Set<string>,
  ctx: ContainerContext,
): void {
  containers.forEach((c, i) => {
    const p = index(path, i);
    if (!c.name) out.push(required(child(p, 'name'), ''));
    else {
      for (const m of dns1123LabelErrors(c.name)) out.push(invalid(child(p, 'name'), c.name, m));
      if (names.has(c.name)) out.push(duplicate(child(p, 'name'), c.name));
      names.add(c.name);
    }
    validateContainer(out, p, c, kind, ctx);
  });
}

function validateContainer(
  out: Causes,
  p: string,
  c: Container,
  kind: ContainerKind,
  ctx: ContainerContext,
): void {
  if (!c.image) out.push(required(child(p, 'image'), ''));
  else if (c.image.trim() !== c.image)
    out.push(invalid(child(p, 'image'), c.image, 'must not have leading or trailing whitespace'));
  oneOf(out, child(p, 'imagePullPolicy'), c.imagePullPolicy, PULL_POLICIES, true);
  oneOf(
    out,
    child(p, 'terminationMessagePolicy'),
    c.terminationMessagePolicy,
    TERMINATION_MESSAGE_POLICIES,
    true,
  );
  validatePorts(out, child(p, 'ports'), c, ctx.hostNetwork);
  validateEnv(out, child(p, 'env'), c.env ?? []);
  (c.envFrom ?? []).forEach((e, i) => {
    const ep = index(child(p, 'envFrom'), i);
    const sources = (e.configMapRef ? 1 : 0) + (e.secretRef ? 1 : 0);
    if (sources === 0) out.push(required(ep, 'must specify one of: `configMapRef` or `secretRef`'));
    if (sources > 1)
      out.push(forbidden(ep, 'may not have more than one field specified at a time'));
    if (e.prefix)
      for (const m of envVarNameErrors(e.prefix))
        out.push(invalid(child(ep, 'prefix'), e.prefix, m));
  });
  if (c.resources) validateResources(out, child(p, 'resources'), c.resources);
  validateMounts(out, p, c, ctx.volumes);
  const sidecar = kind === 'init' && c.restartPolicy === 'Always';
  if (c.restartPolicy !== undefined) {
    if (kind !== 'init')
      out.push(forbidden(child(p, 'restartPolicy'), 'may not be set for non-init containers'));
    else oneOf(out, child(p, 'restartPolicy'), c.restartPolicy, ['Always']);
  }
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    const pr = c[probe];
    if (!pr) continue;
    if ((kind === 'init' && !sidecar) || kind === 'ephemeral') {
      out.push(
        forbidden(
          child(p, probe),
          'may not be set for init containers without restartPolicy=Always',
        ),
      );
      continue;
    }
    validateProbe(out, child(p, probe), pr, probe !== 'readinessProbe');
  }
  for (const hook of ['postStart', 'preStop'] as const) {
    const h = c.lifecycle?.[hook];
    if (h) validateHandler(out, child(child(p, 'lifecycle'), hook), h, true);
  }
}

function validatePorts(out: Causes, path: string, c: Container, hostNetwork: boolean): void {
  const names = new Set<string>();
  (c.ports ?? []).forEach((port, i) => {
    const p = index(path, i);
    if (port.name) {
      for (const m of ianaSvcNameErrors(port.name))
        out.push(invalid(child(p, 'name'), port.name, m));
      if (names.has(port.name)) out.push(duplicate(child(p, 'name'), port.name));
      names.add(port.name);
    }
    if (!port.containerPort) out.push(required(child(p, 'containerPort'), ''));
    else portNumber(out, child(p, 'containerPort'), port.containerPort);
    if (port.hostPort !== undefined && port.hostPort !== 0)
      portNumber(out, child(p, 'hostPort'), port.hostPort);
    if (
      hostNetwork &&
      port.hostPort !== undefined &&
      port.hostPort !== 0 &&
      port.hostPort !== port.containerPort
    )
      out.push(
        invalid(
          child(p, 'hostPort'),
          port.hostPort,
          'must match `containerPort` when `hostNetwork` is true',
        ),
      );
    oneOf(out, child(p, 'protocol'), port.protocol, PROTOCOLS, true);
  });
}

function validateEnv(out: Causes, path: string, env: EnvVar[]): void {
  env.forEach((e, i) => {
    const p = index(path, i);
    if (!e.name) out.push(required(child(p, 'name'), ''));
    else for (const m of envVarNameErrors(e.name)) out.push(invalid(child(p, 'name'), e.name, m));
    const from = e.valueFrom;
    if (!from) return;
    const vp = child(p, 'valueFrom');
    const sources = [
      from.fieldRef,
      from.resourceFieldRef,
      from.configMapKeyRef,
      from.secretKeyRef,
    ].filter((s) => s !== undefined).length;
    if (sources === 0)
      out.push(
        invalid(
          vp,
          '',
          'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
        ),
      );
    if (sources > 1)
      out.push(invalid(vp, '', 'may not have more than one field specified at a time'));
    if (e.value) out.push(invalid(vp, '', 'may not be specified when `value` is not empty'));
    if (from.fieldRef && !from.fieldRef.fieldPath)
      out.push(required(child(child(vp, 'fieldRef'), 'fieldPath'), ''));
    if (from.resourceFieldRef && !from.resourceFieldRef.resource)
      out.push(required(child(child(vp, 'resourceFieldRef'), 'resource'), ''));
    for (const ref of ['configMapKeyRef', 'secretKeyRef'] as const) {
      const r = from[ref];
      if (!r) continue;
      if (!r.key) out.push(required(child(child(vp, ref), 'key'), ''));
      if (!r.name) out.push(required(child(child(vp, ref), 'name'), ''));
    }
  });
}

function isResourceName(name: string): boolean {
  if (STANDARD_RESOURCES.has(name) || name.startsWith('hugepages-')) return true;
  return name.includes('/') && qualifiedNameErrors(name).length === 0;
}

/** Requests and limits: known resource names, non-negative quantities, requests ≤ limits. */
export function validateResources(out: Causes, path: string, r: ResourceRequirements): void {
  const values = (which: 'limits' | 'requests') => {
    const parsed = new Map<string, number>();
    for (const [name, q] of Object.entries(r[which] ?? {})) {
      const p = key(child(path, which), name);
      if (!isResourceName(name))
        out.push(invalid(p, name, 'must be a standard resource type or fully qualified'));
      const v = parseQuantity(q);
      if (v === undefined) continue; // reported by the structural pass
      if (v < 0) out.push(invalid(p, String(q), 'must be greater than or equal to 0'));
      parsed.set(name, v);
    }
    return parsed;
  };
  const limits = values('limits');
  const requests = values('requests');
  for (const [name, req] of requests) {
    const lim = limits.get(name);
    if (lim !== undefined && req > lim) {
      const q = r.requests?.[name] ?? '';
      const l = r.limits?.[name] ?? '';
      out.push(
        invalid(
          key(child(path, 'requests'), name),
          String(q),
          `must be less than or equal to ${name} limit of ${String(l)}`,
        ),
      );
    }
  }
}

function validateMounts(out: Causes, p: string, c: Container, volumes: Set<string>): void {
  const paths = new Set<string>();
  (c.volumeMounts ?? []).forEach((m, i) => {
    const mp = index(child(p, 'volumeMounts'), i);
    if (!m.name) out.push(required(child(mp, 'name'), ''));
    else if (!volumes.has(m.name))
      out.push({
        reason: 'FieldValueNotFound',
        message: `Not found: ${JSON.stringify(m.name)}`,
        field: child(mp, 'name'),
      });
    if (!m.mountPath) out.push(required(child(mp, 'mountPath'), ''));
    else if (paths.has(m.mountPath))
      out.push(invalid(child(mp, 'mountPath'), m.mountPath, 'must be unique'));
    paths.add(m.mountPath);
    if (m.subPath && m.subPathExpr)
      out.push(
        invalid(
          child(mp, 'subPathExpr'),
          m.subPathExpr,
          'subPathExpr and subPath are mutually exclusive',
        ),
      );
    if (m.mountPropagation !== undefined)
      oneOf(out, child(mp, 'mountPropagation'), m.mountPropagation, [
        'Bidirectional',
        'HostToContainer',
        'None',
      ]);
  });
  (c.volumeDevices ?? []).forEach((d, i) => {
    const dp = index(child(p, 'volumeDevices'), i);
    if (!d.name) out.push(required(child(dp, 'name'), ''));
    if (!d.devicePath) out.push(required(child(dp, 'devicePath'), ''));
  });
}

type Handler = Pick<Probe, 'exec' | 'httpGet' | 'tcpSocket' | 'grpc'> & {
  sleep?: { seconds: number };
};

function validateHandler(out: Causes, path: string, h: Handler, lifecycle: boolean): void {
  const set = (['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'] as const).filter(
    (k) => h[k] !== undefined,
  );
  if (set.length === 0) out.push(required(path, 'must specify a handler type'));
  if (set.length > 1)
    out.push(forbidden(child(path, set[1] ?? ''), 'may not specify more than 1 handler type'));
  if (h.exec && (h.exec.command ?? []).length === 0)
    out.push(required(child(child(path, 'exec'), 'command'), ''));
  if (h.httpGet) {
    const hp = child(path, 'httpGet');
    portNumOrName(out, child(hp, 'port'), h.httpGet.port);
    if (h.httpGet.scheme !== undefined)
      oneOf(out, child(hp, 'scheme'), h.httpGet.scheme, ['HTTP', 'HTTPS']);
  }
  if (h.tcpSocket) portNumOrName(out, child(child(path, 'tcpSocket'), 'port'), h.tcpSocket.port);
  if (h.grpc) {
    if (lifecycle) out.push(forbidden(child(path, 'grpc'), 'may not be set for lifecycle hooks'));
    portNumber(out, child(child(path, 'grpc'), 'port'), h.grpc.port);
  }
  if (h.sleep) nonNegative(out, child(child(path, 'sleep'), 'seconds'), h.sleep.seconds);
}

/** A probe: one handler, non-negative timings, positive thresholds, successThreshold 1 for liveness/startup. */
export function validateProbe(
  out: Causes,
  path: string,
  pr: Probe,
  mustSucceedOnce: boolean,
): void {
  validateHandler(out, path, pr, false);
  nonNegative(out, child(path, 'initialDelaySeconds'), pr.initialDelaySeconds);
  nonNegative(out, child(path, 'timeoutSeconds'), pr.timeoutSeconds);
  nonNegative(out, child(path, 'periodSeconds'), pr.periodSeconds);
  nonNegative(out, child(path, 'successThreshold'), pr.successThreshold);
  nonNegative(out, child(path, 'failureThreshold'), pr.failureThreshold);
  positive(out, child(path, 'terminationGracePeriodSeconds'), pr.terminationGracePeriodSeconds);
  if (mustSucceedOnce && pr.successThreshold !== undefined && pr.successThreshold !== 1)
    out.push(invalid(child(path, 'successThreshold'), pr.successThreshold, 'must be 1'));
}
