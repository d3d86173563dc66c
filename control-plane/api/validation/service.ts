/** Service and Endpoints validation (ValidateService / ValidateEndpoints in Kubernetes). */
import { isIP } from 'node:net';
import type { Endpoints, Service, ServicePort } from '../types.ts';
import type { Causes } from './common.ts';
import { ipAddress, labelMap, oneOf, portNumOrName, portNumber } from './common.ts';
import { PROTOCOLS } from './container.ts';
import { child, duplicate, forbidden, index, invalid, required } from './field-errors.ts';
import { dns1123LabelErrors, dns1123SubdomainErrors } from './names.ts';

export const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'] as const;
const IP_FAMILIES = ['IPv4', 'IPv6'] as const;
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'] as const;
const TRAFFIC_POLICIES = ['Cluster', 'Local'] as const;
const MAX_AFFINITY_TIMEOUT = 86400;
const IMMUTABLE_IP = 'may not change once set';
const IP_MSG = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

/** A Service spec: type, ports, cluster IPs, ExternalName, session affinity, traffic and family policies. */
export function validateService(out: Causes, svc: Service): void {
  const s = svc.spec;
  const p = 'spec';
  const type = s.type ?? 'ClusterIP';
  oneOf(out, child(p, 'type'), type, SERVICE_TYPES, true);
  const headless = s.clusterIP === 'None';
  const ports = s.ports ?? [];
  if (type === 'ExternalName') {
    if (!s.externalName) out.push(required(child(p, 'externalName'), ''));
    else
      for (const m of dns1123SubdomainErrors(s.externalName.replace(/\.$/, '')))
        out.push(invalid(child(p, 'externalName'), s.externalName, m));
    if (s.clusterIP && s.clusterIP !== '')
      out.push(forbidden(child(p, 'clusterIP'), 'may not be set for ExternalName services'));
  } else if (ports.length === 0 && !headless) {
    out.push(required(child(p, 'ports'), ''));
  }
  validateServicePorts(out, child(p, 'ports'), ports, type);
  validateClusterIPs(out, svc);
  labelMap(out, child(p, 'selector'), s.selector);
  oneOf(out, child(p, 'sessionAffinity'), s.sessionAffinity, ['ClientIP', 'None'], true);
  const timeout = s.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  const tp = 'spec.sessionAffinityConfig.clientIP.timeoutSeconds';
  if (s.sessionAffinity === 'ClientIP') {
    if (timeout === undefined) out.push(required(tp, ''));
    else if (timeout <= 0 || timeout > MAX_AFFINITY_TIMEOUT)
      out.push(
        invalid(tp, timeout, `must be greater than 0 and less than ${MAX_AFFINITY_TIMEOUT}`),
      );
  } else if (s.sessionAffinityConfig) {
    out.push(
      forbidden(
        child(p, 'sessionAffinityConfig'),
        `must not be set when session affinity is ${s.sessionAffinity ?? 'None'}`,
      ),
    );
  }
  (s.externalIPs ?? []).forEach((ip, i) => ipAddress(out, index(child(p, 'externalIPs'), i), ip));
  if (s.externalTrafficPolicy !== undefined) {
    if (type === 'ClusterIP' || type === 'ExternalName') {
      if ((s.externalIPs ?? []).length === 0)
        out.push(
          invalid(
            child(p, 'externalTrafficPolicy'),
            s.externalTrafficPolicy,
            'may only be set for externally-accessible services',
          ),
        );
    } else oneOf(out, child(p, 'externalTrafficPolicy'), s.externalTrafficPolicy, TRAFFIC_POLICIES);
  }
  if (s.internalTrafficPolicy !== undefined)
    oneOf(out, child(p, 'internalTrafficPolicy'), s.internalTrafficPolicy, TRAFFIC_POLICIES);
  (s.ipFamilies ?? []).forEach((f, i) =>
    oneOf(out, index(child(p, 'ipFamilies'), i), f, IP_FAMILIES),
  );
  if (s.ipFamilyPolicy !== undefined)
    oneOf(out, child(p, 'ipFamilyPolicy'), s.ipFamilyPolicy, IP_FAMILY_POLICIES);
}

function validateServicePorts(out: Causes, path: string, ports: ServicePort[], type: string): void {
  const names = new Set<string>();
  const keys = new Set<string>();
  ports.forEach((port, i) => {
    const p = index(path, i);
    if (ports.length > 1 && !port.name) out.push(required(child(p, 'name'), ''));
    if (port.name) {
      for (const m of dns1123LabelErrors(port.name))
        out.push(invalid(child(p, 'name'), port.name, m));
      if (names.has(port.name)) out.push(duplicate(child(p, 'name'), port.name));
      names.add(port.name);
    }
    if (!port.port) out.push(required(child(p, 'port'), ''));
    else portNumber(out, child(p, 'port'), port.port);
    oneOf(out, child(p, 'protocol'), port.protocol, PROTOCOLS, true);
    if (port.targetPort !== undefined && port.targetPort !== 0)
      portNumOrName(out, child(p, 'targetPort'), port.targetPort);
    if (port.nodePort !== undefined && port.nodePort !== 0) {
      if (type === 'ClusterIP' || type === 'ExternalName')
        out.push(forbidden(child(p, 'nodePort'), `may not be used when \`type\` is '${type}'`));
      else portNumber(out, child(p, 'nodePort'), port.nodePort);
    }
    const k = `${port.port}/${port.protocol ?? 'TCP'}`;
    if (keys.has(k)) out.push(duplicate(p, { port: port.port, protocol: port.protocol ?? 'TCP' }));
    keys.add(k);
  });
}

/**
 * spec.clusterIP and spec.clusterIPs as Kubernetes'
 * ValidateServiceClusterIPsRelatedFields checks them, after the server copied
 * a lone clusterIP into clusterIPs (NormalizeClusterIPs): errors name
 * spec.clusterIPs[i], never spec.clusterIP.
 */
function validateClusterIPs(out: Causes, svc: Service): void {
  const s = svc.spec;
  if (s.type === 'ExternalName') return;
  const one = s.clusterIP ?? '';
  const ips = s.clusterIPs?.length ? s.clusterIPs : one !== '' ? [one] : [];
  if (one !== '' && ips[0] !== one)
    out.push(invalid('spec.clusterIPs', ips, 'first value must match `clusterIP`'));
  else if (one === '' && ips.length > 0)
    out.push(invalid('spec.clusterIPs', ips, 'must be empty when `clusterIP` is not specified'));
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1)
        out.push(invalid('spec.clusterIPs', ips, "'None' must be the first and only value"));
      return;
    }
    if (isIP(ip) === 0) out.push(invalid(index('spec.clusterIPs', i), ip, IP_MSG));
  });
  if (ips.length > 2) out.push(invalid('spec.clusterIPs', ips, 'may only hold up to 2 values'));
}

/** The cluster IPs a service holds: spec.clusterIPs, else [spec.clusterIP] when set. */
function clusterIPsOf(svc: Service): string[] {
  if (svc.spec.clusterIPs?.length) return svc.spec.clusterIPs;
  return svc.spec.clusterIP ? [svc.spec.clusterIP] : [];
}

/**
 * On update: the primary cluster IP, once set, keeps its value; a secondary
 * may be added or released (validateUpgradeDowngradeClusterIPs; changing
 * to/from ExternalName or between headless services aside).
 */
export function validateServiceUpdate(out: Causes, svc: Service, old: Service): void {
  if (svc.spec.type === 'ExternalName' || old.spec.type === 'ExternalName') return;
  const was = clusterIPsOf(old);
  const now = clusterIPsOf(svc);
  const headless = (ips: string[]) => ips.length === 1 && ips[0] === 'None';
  if (headless(was) && headless(now)) return;
  const path = index('spec.clusterIPs', 0);
  if (was.length === now.length) {
    was.forEach((ip, i) => {
      if (ip !== now[i]) out.push(invalid(index('spec.clusterIPs', i), now, IMMUTABLE_IP));
    });
  } else if (now.length === 0) {
    out.push(invalid(path, now, 'primary clusterIP can not be unset'));
  } else if (was.length > 0 && now[0] !== was[0]) {
    out.push(invalid(path, now, IMMUTABLE_IP));
  }
}

/** Endpoints subsets: IP literals, ports 1–65535, known protocols, named ports when several. */
export function validateEndpoints(out: Causes, ep: Endpoints): void {
  (ep.subsets ?? []).forEach((ss, i) => {
    const p = index('subsets', i);
    for (const list of ['addresses', 'notReadyAddresses'] as const) {
      (ss[list] ?? []).forEach((a, j) => {
        const ap = child(index(child(p, list), j), 'ip');
        if (isIP(a.ip) === 0) out.push(invalid(ap, a.ip, 'must be a valid IP address'));
      });
    }
    const ports = ss.ports ?? [];
    ports.forEach((port, j) => {
      const pp = index(child(p, 'ports'), j);
      if (ports.length > 1 && !port.name) out.push(required(child(pp, 'name'), ''));
      if (port.name)
        for (const m of dns1123LabelErrors(port.name))
          out.push(invalid(child(pp, 'name'), port.name, m));
      portNumber(out, child(pp, 'port'), port.port);
      oneOf(out, child(pp, 'protocol'), port.protocol, PROTOCOLS, true);
    });
  });
}
