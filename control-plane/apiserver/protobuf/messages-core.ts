/**
 * Messages of core/v1 other than the pod spec: the kinds `kubectl create`
 * posts (Namespace, ConfigMap, Secret, ServiceAccount, Service) and what
 * they reference.
 */
import { bool, inline, int, mapOf, msg, msgs, str, strs, type MessageSpec } from './schema.ts';

const object = (spec: string, status: string): MessageSpec => ({
  1: msg('metadata', 'ObjectMeta'),
  2: msg('spec', spec),
  3: msg('status', status),
});

export const CORE_MESSAGES: Record<string, MessageSpec> = {
  Namespace: object('NamespaceSpec', 'NamespaceStatus'),
  NamespaceSpec: { 1: strs('finalizers') },
  NamespaceStatus: { 1: str('phase'), 2: msgs('conditions', 'NamespaceCondition') },
  NamespaceCondition: {
    1: str('type'),
    2: str('status'),
    4: msg('lastTransitionTime', 'Time'),
    5: str('reason'),
    6: str('message'),
  },
  ConfigMap: {
    1: msg('metadata', 'ObjectMeta'),
    2: mapOf('data', 'string'),
    3: mapOf('binaryData', 'bytes'),
    4: bool('immutable', true),
  },
  Secret: {
    1: msg('metadata', 'ObjectMeta'),
    2: mapOf('data', 'bytes'),
    3: str('type'),
    4: mapOf('stringData', 'string'),
    5: bool('immutable', true),
  },
  ServiceAccount: {
    1: msg('metadata', 'ObjectMeta'),
    2: msgs('secrets', 'ObjectReference'),
    3: msgs('imagePullSecrets', 'LocalObjectReference'),
    4: bool('automountServiceAccountToken', true),
  },
  Service: object('ServiceSpec', 'ServiceStatus'),
  ServiceSpec: {
    1: msgs('ports', 'ServicePort'),
    2: mapOf('selector', 'string'),
    3: str('clusterIP'),
    4: str('type'),
    5: strs('externalIPs'),
    7: str('sessionAffinity'),
    8: str('loadBalancerIP'),
    9: strs('loadBalancerSourceRanges'),
    10: str('externalName'),
    11: str('externalTrafficPolicy'),
    12: int('healthCheckNodePort'),
    13: bool('publishNotReadyAddresses'),
    14: msg('sessionAffinityConfig', 'SessionAffinityConfig'),
    17: str('ipFamilyPolicy', true),
    18: strs('clusterIPs'),
    19: strs('ipFamilies'),
    20: bool('allocateLoadBalancerNodePorts', true),
    21: str('loadBalancerClass', true),
    22: str('internalTrafficPolicy', true),
    23: str('trafficDistribution', true),
  },
  ServicePort: {
    1: str('name'),
    2: str('protocol'),
    3: int('port'),
    4: msg('targetPort', 'IntOrString'),
    5: int('nodePort'),
    6: str('appProtocol', true),
  },
  SessionAffinityConfig: { 1: msg('clientIP', 'ClientIPConfig') },
  ClientIPConfig: { 1: int('timeoutSeconds', true) },
  ServiceStatus: {
    1: msg('loadBalancer', 'LoadBalancerStatus'),
    2: msgs('conditions', 'Condition'),
  },
  LoadBalancerStatus: { 1: msgs('ingress', 'LoadBalancerIngress') },
  LoadBalancerIngress: { 1: str('ip'), 2: str('hostname'), 3: str('ipMode', true) },
  Endpoints: { 1: msg('metadata', 'ObjectMeta'), 2: msgs('subsets', 'EndpointSubset') },
  EndpointSubset: {
    1: msgs('addresses', 'EndpointAddress'),
    2: msgs('notReadyAddresses', 'EndpointAddress'),
    3: msgs('ports', 'EndpointPort'),
  },
  EndpointAddress: {
    1: str('ip'),
    2: msg('targetRef', 'ObjectReference'),
    3: str('hostname'),
    4: str('nodeName', true),
  },
  EndpointPort: { 1: str('name'), 2: int('port'), 3: str('protocol'), 4: str('appProtocol', true) },
  Binding: { 1: msg('metadata', 'ObjectMeta'), 2: msg('target', 'ObjectReference') },
  ObjectReference: {
    1: str('kind'),
    2: str('namespace'),
    3: str('name'),
    4: str('uid'),
    5: str('apiVersion'),
    6: str('resourceVersion'),
    7: str('fieldPath'),
  },
  LocalObjectReference: { 1: str('name') },
  SecretReference: { 1: str('name'), 2: str('namespace') },
  // Inline embeddings used by the selectors below (`json:",inline"` LocalObjectReference).
  ConfigMapKeySelector: {
    1: inline('LocalObjectReference'),
    2: str('key'),
    3: bool('optional', true),
  },
  SecretKeySelector: {
    1: inline('LocalObjectReference'),
    2: str('key'),
    3: bool('optional', true),
  },
  ConfigMapEnvSource: { 1: inline('LocalObjectReference'), 2: bool('optional', true) },
  SecretEnvSource: { 1: inline('LocalObjectReference'), 2: bool('optional', true) },
  KeyToPath: { 1: str('key'), 2: str('path'), 3: int('mode', true) },
};
