/** core/v1 Service and Endpoints (and ObjectReference, which Endpoints and Events use). */
import Type from 'typebox';
import { CORE, IntOrString, atomicList, bool, int32, mergeList, named, str } from './helpers.ts';
import { Condition, topLevel } from './meta.ts';

export const ObjectReference = Type.Object(
  {
    kind: str(),
    namespace: str(),
    name: str(),
    uid: str(),
    apiVersion: str(),
    resourceVersion: str(),
    fieldPath: str(),
  },
  {
    $id: `${CORE}ObjectReference`,
    description:
      'ObjectReference contains enough information to let you inspect or modify the referred object.',
    'x-kubernetes-map-type': 'atomic',
  },
);

export const ServicePort = named(
  `${CORE}ServicePort`,
  "ServicePort contains information on service's port.",
  {
    name: str('The name of this port within the service. This must be a DNS_LABEL.'),
    protocol: str(
      'The IP protocol for this port. Supports "TCP", "UDP", and "SCTP". Default is TCP.',
    ),
    appProtocol: str('The application protocol for this port, a hint for implementations.'),
    port: Type.Integer({
      format: 'int32',
      description: 'The port that will be exposed by this service.',
    }),
    targetPort: Type.Optional(IntOrString),
    nodePort: int32(
      'The port on each node on which this service is exposed when type is NodePort or LoadBalancer.',
    ),
  },
);

export const ServiceSpec = named(
  `${CORE}ServiceSpec`,
  'ServiceSpec describes the attributes that a user creates on a service.',
  {
    ports: Type.Optional(mergeList(ServicePort, 'port', { mapKeys: ['port', 'protocol'] })),
    selector: Type.Optional(
      Type.Unsafe<Record<string, string>>({
        type: 'object',
        additionalProperties: { type: 'string', default: '' },
        'x-kubernetes-map-type': 'atomic',
      }),
    ),
    clusterIP: str(
      'The IP address of the service, usually assigned randomly; "None" makes a headless service.',
    ),
    clusterIPs: Type.Optional(atomicList(Type.String())),
    type: str(
      'type determines how the Service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.',
    ),
    externalIPs: Type.Optional(atomicList(Type.String())),
    sessionAffinity: str('Supports "ClientIP" and "None". Defaults to None.'),
    loadBalancerIP: str(),
    loadBalancerSourceRanges: Type.Optional(atomicList(Type.String())),
    externalName: str('The external DNS name this service is an alias for (type ExternalName).'),
    externalTrafficPolicy: str('How traffic from external sources is routed: Cluster or Local.'),
    healthCheckNodePort: int32(),
    publishNotReadyAddresses: bool('Publish the addresses of not-ready pods too.'),
    sessionAffinityConfig: Type.Optional(
      named(
        `${CORE}SessionAffinityConfig`,
        'SessionAffinityConfig represents the configurations of session affinity.',
        {
          clientIP: Type.Optional(
            named(
              `${CORE}ClientIPConfig`,
              'ClientIPConfig represents the configurations of Client IP based session affinity.',
              {
                timeoutSeconds: int32(),
              },
            ),
          ),
        },
      ),
    ),
    ipFamilies: Type.Optional(atomicList(Type.String())),
    ipFamilyPolicy: str('SingleStack, PreferDualStack or RequireDualStack.'),
    allocateLoadBalancerNodePorts: bool(),
    loadBalancerClass: str(),
    internalTrafficPolicy: str('How traffic from cluster sources is routed: Cluster or Local.'),
    trafficDistribution: str(),
  },
);

export const LoadBalancerIngress = named(
  `${CORE}LoadBalancerIngress`,
  'LoadBalancerIngress represents the status of a load-balancer ingress point.',
  {
    ip: str(),
    hostname: str(),
    ipMode: str(),
    ports: Type.Optional(
      atomicList(
        named(`${CORE}PortStatus`, 'PortStatus represents the error condition of a service port', {
          port: Type.Integer({ format: 'int32' }),
          protocol: Type.String(),
          error: str(),
        }),
      ),
    ),
  },
);

export const LoadBalancerStatus = named(
  `${CORE}LoadBalancerStatus`,
  'LoadBalancerStatus represents the status of a load-balancer.',
  {
    ingress: Type.Optional(atomicList(LoadBalancerIngress)),
  },
);

export const ServiceStatus = named(
  `${CORE}ServiceStatus`,
  'ServiceStatus represents the current status of a service.',
  {
    loadBalancer: Type.Optional(LoadBalancerStatus),
    conditions: Type.Optional(mergeList(Condition, 'type', { mapKeys: ['type'] })),
  },
);

export const Service = topLevel(
  `${CORE}Service`,
  { group: '', version: 'v1', kind: 'Service' },
  'Service is a named abstraction of software service (for example, mysql) consisting of local port that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.',
  { spec: ServiceSpec, status: Type.Optional(ServiceStatus) },
);

export const EndpointAddress = Type.Object(
  {
    ip: Type.String(),
    hostname: str(),
    nodeName: str(),
    targetRef: Type.Optional(ObjectReference),
  },
  {
    $id: `${CORE}EndpointAddress`,
    description: 'EndpointAddress is a tuple that describes single IP address.',
    'x-kubernetes-map-type': 'atomic',
  },
);

export const EndpointPort = Type.Object(
  { name: str(), port: Type.Integer({ format: 'int32' }), protocol: str(), appProtocol: str() },
  {
    $id: `${CORE}EndpointPort`,
    description: 'EndpointPort is a tuple that describes a single port.',
    'x-kubernetes-map-type': 'atomic',
  },
);

export const EndpointSubset = named(
  `${CORE}EndpointSubset`,
  'EndpointSubset is a group of addresses with a common set of ports.',
  {
    addresses: Type.Optional(atomicList(EndpointAddress)),
    notReadyAddresses: Type.Optional(atomicList(EndpointAddress)),
    ports: Type.Optional(atomicList(EndpointPort)),
  },
);

export const Endpoints = topLevel(
  `${CORE}Endpoints`,
  { group: '', version: 'v1', kind: 'Endpoints' },
  'Endpoints is a collection of endpoints that implement the actual service.',
  { subsets: Type.Optional(atomicList(EndpointSubset)) },
);
