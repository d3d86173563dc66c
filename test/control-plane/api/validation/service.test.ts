/** Service and Endpoints validation tables. */
import { test } from 'node:test';
import { SERVICES, assertCauses, causesOf, res, service, type Expected } from './helpers.ts';
import type { ResourceInfo } from '../../../../control-plane/api/resources.ts';

const ENDPOINTS = res('', 'endpoints');

const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

const cases: {
  name: string;
  r: ResourceInfo;
  body: Record<string, unknown>;
  causes: Expected[];
}[] = [
  { name: 'service: minimal is valid', r: SERVICES, body: service(), causes: [] },
  {
    name: 'service: names are DNS-1035 labels (no leading digit)',
    r: SERVICES,
    body: service({}, { name: '1web' }),
    causes: [
      {
        field: 'metadata.name',
        reason: 'FieldValueInvalid',
        message: `Invalid value: "1web": ${DNS1035_MSG}`,
      },
    ],
  },
  {
    name: 'service: ports required',
    r: SERVICES,
    body: service({ ports: [] }),
    causes: [{ field: 'spec.ports', reason: 'FieldValueRequired' }],
  },
  {
    name: 'service: headless without ports is valid',
    r: SERVICES,
    body: service({ clusterIP: 'None', ports: [] }),
    causes: [],
  },
  {
    name: 'service: port rules (range, names with several ports, duplicates, protocol, targetPort)',
    r: SERVICES,
    body: service({
      ports: [
        { name: 'http', port: 80, targetPort: 'web-port-that-is-long' },
        { port: 70000, protocol: 'HTTP' },
        { name: 'http', port: 81, targetPort: 0 },
        { name: 'dup', port: 80, protocol: 'TCP' },
      ],
    }),
    causes: [
      {
        field: 'spec.ports[0].targetPort',
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "web-port-that-is-long": must be no more than 15 characters',
      },
      { field: 'spec.ports[1].name', reason: 'FieldValueRequired' },
      { field: 'spec.ports[1].port', reason: 'FieldValueInvalid' },
      { field: 'spec.ports[1].protocol', reason: 'FieldValueNotSupported' },
      // targetPort defaults to port before validation, as in Kubernetes, so it is out of range too.
      { field: 'spec.ports[1].targetPort', reason: 'FieldValueInvalid' },
      { field: 'spec.ports[2].name', reason: 'FieldValueDuplicate' },
      { field: 'spec.ports[3]', reason: 'FieldValueDuplicate' },
    ],
  },
  {
    name: 'service: type enum',
    r: SERVICES,
    body: service({ type: 'Ingress' }),
    causes: [
      {
        field: 'spec.type',
        reason: 'FieldValueNotSupported',
        message:
          'Unsupported value: "Ingress": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      },
    ],
  },
  {
    name: 'service: nodePort not allowed on ClusterIP',
    r: SERVICES,
    body: service({ ports: [{ port: 80, nodePort: 30080 }] }),
    causes: [
      {
        field: 'spec.ports[0].nodePort',
        reason: 'FieldValueForbidden',
        message: "Forbidden: may not be used when `type` is 'ClusterIP'",
      },
    ],
  },
  {
    name: 'service: nodePort on NodePort is fine',
    r: SERVICES,
    body: service({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }),
    causes: [],
  },
  {
    name: 'service: clusterIP must be an IP or None',
    r: SERVICES,
    body: service({ clusterIP: '10.96.0.300' }),
    causes: [
      {
        field: 'spec.clusterIPs[0]',
        reason: 'FieldValueInvalid',
        message:
          'Invalid value: "10.96.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      },
    ],
  },
  {
    name: 'service: ExternalName needs externalName and no cluster IP',
    r: SERVICES,
    body: service({ type: 'ExternalName', clusterIP: '10.96.0.5', ports: [] }),
    causes: [
      { field: 'spec.externalName', reason: 'FieldValueRequired' },
      { field: 'spec.clusterIP', reason: 'FieldValueForbidden' },
    ],
  },
  {
    name: 'service: sessionAffinity enum and timeout range',
    r: SERVICES,
    body: service({
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 100000 } },
    }),
    causes: [
      {
        field: 'spec.sessionAffinityConfig.clientIP.timeoutSeconds',
        reason: 'FieldValueInvalid',
        message: 'Invalid value: 100000: must be greater than 0 and less than 86400',
      },
    ],
  },
  {
    name: 'service: sessionAffinityConfig without ClientIP',
    r: SERVICES,
    body: service({
      sessionAffinity: 'Sticky',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 10 } },
    }),
    causes: [
      { field: 'spec.sessionAffinity', reason: 'FieldValueNotSupported' },
      { field: 'spec.sessionAffinityConfig', reason: 'FieldValueForbidden' },
    ],
  },
  {
    name: 'service: traffic and family policies',
    r: SERVICES,
    body: service({
      externalTrafficPolicy: 'Local',
      internalTrafficPolicy: 'Node',
      ipFamilies: ['IPv5'],
      ipFamilyPolicy: 'Mixed',
    }),
    causes: [
      { field: 'spec.externalTrafficPolicy', reason: 'FieldValueInvalid' },
      { field: 'spec.internalTrafficPolicy', reason: 'FieldValueNotSupported' },
      { field: 'spec.ipFamilies[0]', reason: 'FieldValueNotSupported' },
      { field: 'spec.ipFamilyPolicy', reason: 'FieldValueNotSupported' },
    ],
  },
  {
    name: 'service: selector values are label values',
    r: SERVICES,
    body: service({ selector: { app: 'web app' } }),
    causes: [{ field: 'spec.selector', reason: 'FieldValueInvalid' }],
  },
  {
    name: 'endpoints: addresses are IPs, ports in range, protocol enum',
    r: ENDPOINTS,
    body: {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'web' },
      subsets: [
        {
          addresses: [{ ip: '10.244.1.5' }, { ip: 'pod-a' }],
          ports: [
            { port: 0, protocol: 'TCP' },
            { name: 'b', port: 80, protocol: 'XDP' },
          ],
        },
      ],
    },
    causes: [
      { field: 'subsets[0].addresses[1].ip', reason: 'FieldValueInvalid' },
      { field: 'subsets[0].ports[0].name', reason: 'FieldValueRequired' },
      { field: 'subsets[0].ports[0].port', reason: 'FieldValueInvalid' },
      { field: 'subsets[0].ports[1].protocol', reason: 'FieldValueNotSupported' },
    ],
  },
];

for (const tc of cases) {
  test(tc.name, () => {
    assertCauses(causesOf(tc.r, tc.body), tc.causes);
  });
}
