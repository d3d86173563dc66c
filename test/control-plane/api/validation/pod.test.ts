/** Pod validation: one row per rule, with the exact Kubernetes field paths and reasons. */
import { test } from 'node:test';
import { PODS, assertCauses, causesOf, container, pod, type Expected } from './helpers.ts';

const DNS_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

const cases: { name: string; body: Record<string, unknown>; causes: Expected[] }[] = [
  { name: 'a minimal pod is valid', body: pod(), causes: [] },
  {
    name: 'no containers',
    body: pod({ containers: [] }),
    causes: [{ field: 'spec.containers', reason: 'FieldValueRequired', message: 'Required value' }],
  },
  {
    name: 'containers missing altogether',
    body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } },
    causes: [{ field: 'spec.containers', reason: 'FieldValueRequired' }],
  },
  {
    name: 'container without image',
    body: pod({ containers: [{ name: 'web' }] }),
    causes: [
      {
        field: 'spec.containers[0].image',
        reason: 'FieldValueRequired',
        message: 'Required value',
      },
    ],
  },
  {
    name: 'container without name',
    body: pod({ containers: [{ image: 'nginx' }] }),
    causes: [{ field: 'spec.containers[0].name', reason: 'FieldValueRequired' }],
  },
  {
    name: 'container name not a DNS label',
    body: pod({ containers: [container({ name: 'Web_1' })] }),
    causes: [
      {
        field: 'spec.containers[0].name',
        reason: 'FieldValueInvalid',
        message: `Invalid value: "Web_1": ${DNS_LABEL_MSG}`,
      },
    ],
  },
  {
    name: 'duplicate container names across init and regular containers',
    body: pod({
      containers: [container(), container({ name: 'side' })],
      initContainers: [container({ name: 'side' })],
    }),
    causes: [
      {
        field: 'spec.initContainers[0].name',
        reason: 'FieldValueDuplicate',
        message: 'Duplicate value: "side"',
      },
    ],
  },
  {
    name: 'image with surrounding whitespace',
    body: pod({ containers: [container({ image: ' nginx' })] }),
    causes: [{ field: 'spec.containers[0].image', reason: 'FieldValueInvalid' }],
  },
  {
    name: 'port out of range, bad protocol, bad and duplicate port names',
    body: pod({
      containers: [
        container({
          ports: [
            { containerPort: 0 },
            { containerPort: 70000, protocol: 'ICMP' },
            { name: 'http', containerPort: 80 },
            { name: 'http', containerPort: 81 },
            { name: 'a-very-long-port-name', containerPort: 82 },
          ],
        }),
      ],
    }),
    causes: [
      { field: 'spec.containers[0].ports[0].containerPort', reason: 'FieldValueRequired' },
      {
        field: 'spec.containers[0].ports[1].containerPort',
        reason: 'FieldValueInvalid',
        message: 'Invalid value: 70000: must be between 1 and 65535, inclusive',
      },
      {
        field: 'spec.containers[0].ports[1].protocol',
        reason: 'FieldValueNotSupported',
        message: 'Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
      },
      { field: 'spec.containers[0].ports[3].name', reason: 'FieldValueDuplicate' },
      {
        field: 'spec.containers[0].ports[4].name',
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "a-very-long-port-name": must be no more than 15 characters',
      },
    ],
  },
  {
    name: 'hostNetwork requires hostPort = containerPort',
    body: pod({
      hostNetwork: true,
      containers: [container({ ports: [{ containerPort: 80, hostPort: 8080 }] })],
    }),
    causes: [{ field: 'spec.containers[0].ports[0].hostPort', reason: 'FieldValueInvalid' }],
  },
  {
    name: 'enums: restartPolicy, dnsPolicy, imagePullPolicy, terminationMessagePolicy',
    body: pod({
      restartPolicy: 'Sometimes',
      dnsPolicy: 'Google',
      containers: [container({ imagePullPolicy: 'Daily', terminationMessagePolicy: 'Stdout' })],
    }),
    causes: [
      {
        field: 'spec.containers[0].imagePullPolicy',
        reason: 'FieldValueNotSupported',
        message: 'Unsupported value: "Daily": supported values: "Always", "IfNotPresent", "Never"',
      },
      { field: 'spec.containers[0].terminationMessagePolicy', reason: 'FieldValueNotSupported' },
      {
        field: 'spec.restartPolicy',
        reason: 'FieldValueNotSupported',
        message: 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      },
      { field: 'spec.dnsPolicy', reason: 'FieldValueNotSupported' },
    ],
  },
  {
    name: 'dnsPolicy None needs dnsConfig',
    body: pod({ dnsPolicy: 'None' }),
    causes: [{ field: 'spec.dnsConfig', reason: 'FieldValueRequired' }],
  },
  {
    name: 'requests above limits and negative quantities, unknown resource names',
    body: pod({
      containers: [
        container({
          resources: {
            requests: { cpu: '2', memory: '-1Mi' },
            limits: { cpu: '500m', gpu: '1' },
          },
        }),
      ],
    }),
    causes: [
      {
        field: 'spec.containers[0].resources.limits[gpu]',
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "gpu": must be a standard resource type or fully qualified',
      },
      {
        field: 'spec.containers[0].resources.requests[memory]',
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "-1Mi": must be greater than or equal to 0',
      },
      // A limit without a request is defaulted into requests before validation, as in Kubernetes.
      { field: 'spec.containers[0].resources.requests[gpu]', reason: 'FieldValueInvalid' },
      {
        field: 'spec.containers[0].resources.requests[cpu]',
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "2": must be less than or equal to cpu limit of 500m',
      },
    ],
  },
  {
    name: 'extended resources with a domain are accepted',
    body: pod({ containers: [container({ resources: { limits: { 'example.com/gpu': 1 } } })] }),
    causes: [],
  },
  {
    name: 'env var names, valueFrom with value, empty valueFrom',
    body: pod({
      containers: [
        container({
          env: [
            { name: 'A=B', value: 'x' },
            { name: 'B', value: 'x', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'C', valueFrom: {} },
            { name: 'D', valueFrom: { secretKeyRef: { name: 's' } } },
          ],
        }),
      ],
    }),
    causes: [
      { field: 'spec.containers[0].env[0].name', reason: 'FieldValueInvalid' },
      { field: 'spec.containers[0].env[1].valueFrom', reason: 'FieldValueInvalid' },
      { field: 'spec.containers[0].env[2].valueFrom', reason: 'FieldValueInvalid' },
      {
        field: 'spec.containers[0].env[3].valueFrom.secretKeyRef.key',
        reason: 'FieldValueRequired',
      },
    ],
  },
  {
    name: 'volume names unique and DNS labels, one source each, mounts refer to volumes',
    body: pod({
      volumes: [
        { name: 'data', emptyDir: {} },
        { name: 'data', emptyDir: {} },
        { name: 'Conf', configMap: { name: 'c' } },
        { name: 'two', emptyDir: {}, hostPath: { path: '/x' } },
      ],
      containers: [
        container({
          volumeMounts: [
            { name: 'missing', mountPath: '/m' },
            { name: 'data', mountPath: '/m' },
          ],
        }),
      ],
    }),
    causes: [
      { field: 'spec.volumes[1].name', reason: 'FieldValueDuplicate' },
      { field: 'spec.volumes[2].name', reason: 'FieldValueInvalid' },
      {
        field: 'spec.volumes[3].hostPath',
        reason: 'FieldValueForbidden',
        message: 'Forbidden: may not specify more than 1 volume type',
      },
      {
        field: 'spec.containers[0].volumeMounts[0].name',
        reason: 'FieldValueNotFound',
        message: 'Not found: "missing"',
      },
      {
        field: 'spec.containers[0].volumeMounts[1].mountPath',
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "/m": must be unique',
      },
    ],
  },
  {
    name: 'volume source required fields and item paths',
    body: pod({
      volumes: [
        { name: 'a', configMap: { items: [{ key: 'k', path: '/abs' }] } },
        { name: 'b', secret: { defaultMode: 1000 } },
        { name: 'c', persistentVolumeClaim: { claimName: '' } },
      ],
    }),
    causes: [
      { field: 'spec.volumes[0].configMap.name', reason: 'FieldValueRequired' },
      {
        field: 'spec.volumes[0].configMap.items[0].path',
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "/abs": must be a relative path',
      },
      { field: 'spec.volumes[1].secret.secretName', reason: 'FieldValueRequired' },
      {
        field: 'spec.volumes[1].secret.defaultMode',
        reason: 'FieldValueInvalid',
        message: 'Invalid value: 1000: must be a number between 0 and 0777 (octal), both inclusive',
      },
      { field: 'spec.volumes[2].persistentVolumeClaim.claimName', reason: 'FieldValueRequired' },
    ],
  },
  {
    name: 'probes: one handler, non-negative timings, liveness successThreshold 1',
    body: pod({
      containers: [
        container({
          livenessProbe: { httpGet: { port: 8080 }, successThreshold: 2, periodSeconds: -1 },
          readinessProbe: { initialDelaySeconds: 1 },
          startupProbe: { exec: { command: ['true'] }, tcpSocket: { port: 80 } },
        }),
      ],
    }),
    causes: [
      {
        field: 'spec.containers[0].livenessProbe.periodSeconds',
        reason: 'FieldValueInvalid',
        message: 'Invalid value: -1: must be greater than or equal to 0',
      },
      {
        field: 'spec.containers[0].livenessProbe.successThreshold',
        reason: 'FieldValueInvalid',
        message: 'Invalid value: 2: must be 1',
      },
      {
        field: 'spec.containers[0].readinessProbe',
        reason: 'FieldValueRequired',
        message: 'Required value: must specify a handler type',
      },
      {
        field: 'spec.containers[0].startupProbe.tcpSocket',
        reason: 'FieldValueForbidden',
        message: 'Forbidden: may not specify more than 1 handler type',
      },
    ],
  },
  {
    name: 'probe port by bad name: one cause per broken rule of IANA_SVC_NAME',
    body: pod({ containers: [container({ readinessProbe: { httpGet: { port: 'HTTP_PORT' } } })] }),
    causes: [
      {
        field: 'spec.containers[0].readinessProbe.httpGet.port',
        reason: 'FieldValueInvalid',
        message:
          'Invalid value: "HTTP_PORT": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      },
      {
        field: 'spec.containers[0].readinessProbe.httpGet.port',
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "HTTP_PORT": must contain at least one letter (a-z)',
      },
    ],
  },
  {
    name: 'probes on a plain init container are forbidden, on a sidecar allowed',
    body: pod({
      initContainers: [
        container({ name: 'init', readinessProbe: { exec: { command: ['true'] } } }),
        container({
          name: 'sidecar',
          restartPolicy: 'Always',
          readinessProbe: { exec: { command: ['true'] } },
        }),
      ],
    }),
    causes: [{ field: 'spec.initContainers[0].readinessProbe', reason: 'FieldValueForbidden' }],
  },
  {
    name: 'restartPolicy on a regular container is forbidden',
    body: pod({ containers: [container({ restartPolicy: 'Always' })] }),
    causes: [{ field: 'spec.containers[0].restartPolicy', reason: 'FieldValueForbidden' }],
  },
  {
    name: 'tolerations',
    body: pod({
      tolerations: [
        { key: 'a', operator: 'Exists', value: 'x' },
        { operator: 'Equal', value: 'x' },
        { key: 'b', operator: 'Equal', value: 'v', effect: 'NoSchedule', tolerationSeconds: 10 },
        { key: 'c', effect: 'Sometimes' },
      ],
    }),
    causes: [
      { field: 'spec.tolerations[0].operator', reason: 'FieldValueInvalid' },
      { field: 'spec.tolerations[1].operator', reason: 'FieldValueInvalid' },
      {
        field: 'spec.tolerations[2].effect',
        reason: 'FieldValueInvalid',
        message:
          'Invalid value: "NoSchedule": effect must be \'NoExecute\' when `tolerationSeconds` is set',
      },
      { field: 'spec.tolerations[3].effect', reason: 'FieldValueNotSupported' },
    ],
  },
  {
    name: 'node affinity operators and values, weights',
    body: pod({
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: 'zone', operator: 'In' },
                  { key: 'gpu', operator: 'Exists', values: ['x'] },
                  { key: 'cores', operator: 'Gt', values: ['many'] },
                  { key: 'x', operator: 'Near', values: ['y'] },
                ],
              },
            ],
          },
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, preference: {} }],
        },
        podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: '' }] },
      },
    }),
    causes: [
      {
        field:
          'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values',
        reason: 'FieldValueRequired',
      },
      {
        field:
          'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[1].values',
        reason: 'FieldValueInvalid',
      },
      {
        field:
          'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[2].values',
        reason: 'FieldValueRequired',
      },
      {
        field:
          'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[3].operator',
        reason: 'FieldValueNotSupported',
      },
      {
        field:
          'spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight',
        reason: 'FieldValueInvalid',
        message: 'Invalid value: 0: must be in the range 1-100',
      },
      {
        field:
          'spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey',
        reason: 'FieldValueRequired',
        message: 'Required value: can not be empty',
      },
    ],
  },
  {
    name: 'topology spread: skew, action, duplicates',
    body: pod({
      topologySpreadConstraints: [
        { maxSkew: 0, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' },
        { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'Maybe' },
        { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' },
      ],
    }),
    causes: [
      {
        field: 'spec.topologySpreadConstraints[0].maxSkew',
        reason: 'FieldValueInvalid',
        message: 'Invalid value: 0: must be greater than zero',
      },
      {
        field: 'spec.topologySpreadConstraints[1].whenUnsatisfiable',
        reason: 'FieldValueNotSupported',
      },
      { field: 'spec.topologySpreadConstraints[2]', reason: 'FieldValueDuplicate' },
    ],
  },
  {
    name: 'nodeSelector keys and values are labels; hostname is a DNS label',
    body: pod({ nodeSelector: { 'bad key': 'ok', zone: 'bad value!' }, hostname: 'Host_1' }),
    causes: [
      { field: 'spec.nodeSelector', reason: 'FieldValueInvalid' },
      { field: 'spec.nodeSelector', reason: 'FieldValueInvalid' },
      { field: 'spec.hostname', reason: 'FieldValueInvalid' },
    ],
  },
  {
    name: 'activeDeadlineSeconds must be positive',
    body: pod({ activeDeadlineSeconds: 0 }),
    causes: [
      {
        field: 'spec.activeDeadlineSeconds',
        reason: 'FieldValueInvalid',
        message: 'Invalid value: 0: must be greater than 0',
      },
    ],
  },
];

for (const tc of cases) {
  test(`pod: ${tc.name}`, () => {
    assertCauses(causesOf(PODS, tc.body), tc.causes);
  });
}
