/**
 * Kubernetes' defaulting rules (SetDefaults_* in k8s.io/kubernetes/pkg/apis
 * plus the create-time status the strategies set), applied in place to a
 * validated object. Idempotent: defaulting a defaulted object changes nothing.
 */
import type { ResourceInfo } from './resources.ts';
import type {
  Container,
  DaemonSet,
  Deployment,
  Endpoints,
  Job,
  KubeObject,
  Namespace,
  Node,
  Pod,
  PodSpec,
  Probe,
  ReplicaSet,
  Secret,
  Service,
  Volume,
} from './types.ts';

/** Octal 0644, the default mode of projected files. */
const DEFAULT_FILE_MODE = 0o644;

/**
 * Fills in every default Kubernetes would for `obj` of resource `r`
 * (mutates). Call it after validateObject() has accepted the object; a
 * Job gets its generated selector only once metadata.uid is set.
 */
export function applyDefaults(r: ResourceInfo, obj: KubeObject): void {
  obj.metadata ??= {};
  const fn = DEFAULTERS[r.kind];
  if (fn) fn(obj);
}

/**
 * On update, keeps what the server allocated when a full replacement
 * leaves it out (a Service's cluster IPs and node ports, a Job's generated
 * selector), as the Kubernetes update strategies do; then applies defaults.
 */
export function applyUpdateDefaults(r: ResourceInfo, obj: KubeObject, old: KubeObject): void {
  if (r.kind === 'Service') keepServiceAllocations(obj as Service, old as Service);
  if (r.kind === 'Job') keepJobSelector(obj as Job, old as Job);
  applyDefaults(r, obj);
}

const DEFAULTERS: Record<string, (o: KubeObject) => void> = {
  Pod: (o) => defaultPod(o as Pod),
  Service: (o) => defaultService(o as Service),
  Endpoints: (o) => {
    for (const ss of (o as Endpoints).subsets ?? [])
      for (const p of ss.ports ?? []) p.protocol ??= 'TCP';
  },
  Node: (o) => {
    const n = o as Node;
    n.spec ??= {};
    n.status ??= {};
    if (n.status.capacity && !n.status.allocatable) n.status.allocatable = { ...n.status.capacity };
  },
  Namespace: (o) => {
    const ns = o as Namespace;
    ns.spec ??= {};
    ns.spec.finalizers ??= ['kubernetes'];
    ns.status ??= {};
    ns.status.phase ??= 'Active';
  },
  Secret: (o) => defaultSecret(o as Secret),
  Deployment: (o) => defaultDeployment(o as Deployment),
  ReplicaSet: (o) => {
    const rs = o as ReplicaSet;
    rs.spec ??= {} as ReplicaSet['spec'];
    rs.spec.replicas ??= 1;
    if (rs.spec.template) defaultPodSpec(rs.spec.template.spec);
    rs.status ??= { replicas: 0 };
  },
  DaemonSet: (o) => defaultDaemonSet(o as DaemonSet),
  Job: (o) => defaultJob(o as Job),
};

/** Always for ":latest" or no tag (and no digest), IfNotPresent otherwise. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@')) return 'IfNotPresent';
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastPart.lastIndexOf(':');
  const tag = colon < 0 ? '' : lastPart.slice(colon + 1);
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(p: Probe | undefined): void {
  if (!p) return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  if (p.httpGet) {
    p.httpGet.path ??= '/';
    p.httpGet.scheme ??= 'HTTP';
  }
}

function defaultContainer(c: Container, hostNetwork: boolean): void {
  c.imagePullPolicy ??= defaultPullPolicy(c.image ?? '');
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  for (const port of c.ports ?? []) {
    port.protocol ??= 'TCP';
    if (hostNetwork && !port.hostPort) port.hostPort = port.containerPort;
  }
  for (const e of c.env ?? []) if (e.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ??= 'v1';
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  for (const h of [c.lifecycle?.postStart, c.lifecycle?.preStop]) {
    if (h?.httpGet) {
      h.httpGet.path ??= '/';
      h.httpGet.scheme ??= 'HTTP';
    }
  }
}

function defaultVolume(v: Volume): void {
  const sources = Object.keys(v).filter((k) => k !== 'name');
  if (sources.length === 0) v.emptyDir = {}; // a volume without a source is an emptyDir
  if (v.secret) v.secret.defaultMode ??= DEFAULT_FILE_MODE;
  if (v.configMap) v.configMap.defaultMode ??= DEFAULT_FILE_MODE;
  if (v.downwardAPI) v.downwardAPI.defaultMode ??= DEFAULT_FILE_MODE;
  if (v.projected) v.projected.defaultMode ??= DEFAULT_FILE_MODE;
  if (v.hostPath) v.hostPath.type ??= '';
  for (const item of v.downwardAPI?.items ?? [])
    if (item.fieldRef) item.fieldRef.apiVersion ??= 'v1';
}

/** The defaults of every pod spec, pods' and templates' alike (SetDefaults_PodSpec). */
export function defaultPodSpec(spec: PodSpec | undefined): void {
  if (!spec) return;
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
  const hostNetwork = spec.hostNetwork === true;
  for (const list of [spec.containers, spec.initContainers, spec.ephemeralContainers])
    for (const c of list ?? []) defaultContainer(c, hostNetwork);
  for (const v of spec.volumes ?? []) defaultVolume(v);
}

function defaultPod(pod: Pod): void {
  pod.spec ??= { containers: [] };
  defaultPodSpec(pod.spec);
  pod.spec.enableServiceLinks ??= true;
  // SetDefaults_Pod: a limit without a request requests the limit.
  for (const c of [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])]) {
    const limits = c.resources?.limits;
    if (!c.resources || !limits) continue;
    const requests = (c.resources.requests ??= {});
    for (const [k, v] of Object.entries(limits)) requests[k] ??= v;
  }
  pod.status ??= {};
  pod.status.phase ??= 'Pending';
  pod.status.qosClass ??= qosClass(pod.spec);
}

/** Guaranteed (cpu and memory limits = requests everywhere), BestEffort (none set) or Burstable. */
export function qosClass(spec: PodSpec): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const all = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  const any = all.some(
    (c) =>
      Object.keys(c.resources?.requests ?? {}).length +
        Object.keys(c.resources?.limits ?? {}).length >
      0,
  );
  if (!any) return 'BestEffort';
  const guaranteed = all.every((c) =>
    ['cpu', 'memory'].every((k) => {
      const lim = c.resources?.limits?.[k];
      const req = c.resources?.requests?.[k] ?? lim;
      return lim !== undefined && String(req) === String(lim);
    }),
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function defaultService(svc: Service): void {
  svc.spec ??= {};
  const s = svc.spec;
  s.type ??= 'ClusterIP';
  s.sessionAffinity ??= 'None';
  if (s.sessionAffinity === 'ClientIP') {
    s.sessionAffinityConfig ??= {};
    s.sessionAffinityConfig.clientIP ??= {};
    s.sessionAffinityConfig.clientIP.timeoutSeconds ??= 10800;
  }
  for (const p of s.ports ?? []) {
    p.protocol ??= 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '')
      p.targetPort = p.port;
  }
  if (s.type === 'NodePort' || s.type === 'LoadBalancer') s.externalTrafficPolicy ??= 'Cluster';
  if (s.type === 'LoadBalancer') s.allocateLoadBalancerNodePorts ??= true;
  if (s.type !== 'ExternalName') {
    s.internalTrafficPolicy ??= 'Cluster';
    s.ipFamilyPolicy ??= 'SingleStack';
    s.ipFamilies ??= ['IPv4'];
  }
  svc.status ??= {};
  svc.status.loadBalancer ??= {};
}

function defaultSecret(s: Secret): void {
  s.type ??= 'Opaque';
  // As the v1 → internal conversion does: stringData is written into data, then dropped.
  if (s.stringData) {
    const data = (s.data ??= {});
    for (const [k, v] of Object.entries(s.stringData))
      data[k] = Buffer.from(v, 'utf8').toString('base64');
    delete s.stringData;
  }
}

function defaultDeployment(d: Deployment): void {
  d.spec ??= {} as Deployment['spec'];
  const s = d.spec;
  s.replicas ??= 1;
  s.strategy ??= {};
  s.strategy.type ??= 'RollingUpdate';
  if (s.strategy.type === 'RollingUpdate') {
    s.strategy.rollingUpdate ??= {};
    s.strategy.rollingUpdate.maxUnavailable ??= '25%';
    s.strategy.rollingUpdate.maxSurge ??= '25%';
  }
  s.revisionHistoryLimit ??= 10;
  s.progressDeadlineSeconds ??= 600;
  defaultPodSpec(s.template?.spec);
  d.status ??= {};
}

function defaultDaemonSet(ds: DaemonSet): void {
  ds.spec ??= {} as DaemonSet['spec'];
  const s = ds.spec;
  s.updateStrategy ??= {};
  s.updateStrategy.type ??= 'RollingUpdate';
  if (s.updateStrategy.type === 'RollingUpdate') {
    s.updateStrategy.rollingUpdate ??= {};
    s.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
    s.updateStrategy.rollingUpdate.maxSurge ??= 0;
  }
  s.revisionHistoryLimit ??= 10;
  defaultPodSpec(s.template?.spec);
  ds.status ??= {
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    desiredNumberScheduled: 0,
    numberReady: 0,
  };
}

function defaultJob(job: Job): void {
  job.spec ??= {} as Job['spec'];
  const s = job.spec;
  if (s.completions === undefined && s.parallelism === undefined) s.completions = 1;
  s.parallelism ??= 1;
  s.backoffLimit ??= s.backoffLimitPerIndex === undefined ? 6 : 2147483647;
  s.completionMode ??= 'NonIndexed';
  s.suspend ??= false;
  if (!s.podFailurePolicy) s.podReplacementPolicy ??= 'TerminatingOrFailed';
  generateJobSelector(job);
  defaultPodSpec(s.template?.spec);
  job.status ??= {};
}

/** The selector and template labels the Job strategy generates from the uid (unless manualSelector). */
function generateJobSelector(job: Job): void {
  const uid = job.metadata.uid;
  const s = job.spec;
  if (!uid || s.manualSelector === true || s.selector || !s.template) return;
  s.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
  s.template.metadata ??= {};
  const labels = (s.template.metadata.labels ??= {});
  labels['batch.kubernetes.io/controller-uid'] ??= uid;
  labels['controller-uid'] ??= uid;
  const name = job.metadata.name ?? '';
  if (name !== '' && name.length <= 63) {
    labels['batch.kubernetes.io/job-name'] ??= name;
    labels['job-name'] ??= name;
  }
}

function keepServiceAllocations(svc: Service, old: Service): void {
  const s = (svc.spec ??= {});
  const o = old.spec ?? {};
  if (s.type === 'ExternalName' || o.type === 'ExternalName') return;
  if (!s.clusterIP && o.clusterIP) s.clusterIP = o.clusterIP;
  if (!s.clusterIPs?.length && o.clusterIPs?.length) s.clusterIPs = [...o.clusterIPs];
  if (!s.ipFamilies?.length && o.ipFamilies?.length) s.ipFamilies = [...o.ipFamilies];
  s.ipFamilyPolicy ??= o.ipFamilyPolicy;
  if (
    s.healthCheckNodePort === undefined &&
    o.healthCheckNodePort !== undefined &&
    s.type === o.type
  )
    s.healthCheckNodePort = o.healthCheckNodePort;
  if (s.type === 'NodePort' || s.type === 'LoadBalancer') {
    for (const p of s.ports ?? []) {
      if (p.nodePort) continue;
      const was = o.ports?.find(
        (q) => q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP'),
      );
      if (was?.nodePort) p.nodePort = was.nodePort;
    }
  }
}

function keepJobSelector(job: Job, old: Job): void {
  if (job.spec?.manualSelector === true || job.spec?.selector || !old.spec?.selector) return;
  job.spec.selector = old.spec.selector;
  const oldLabels = old.spec.template?.metadata?.labels ?? {};
  const t = job.spec.template;
  if (!t) return;
  t.metadata ??= {};
  const labels = (t.metadata.labels ??= {});
  for (const k of [
    'batch.kubernetes.io/controller-uid',
    'controller-uid',
    'batch.kubernetes.io/job-name',
    'job-name',
  ]) {
    const v = oldLabels[k];
    if (v !== undefined) labels[k] ??= v;
  }
}
