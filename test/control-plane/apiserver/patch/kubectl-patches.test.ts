// applyPatch with the patches kubectl really sends (apply, edit, set image,
// label, annotate, scale, patch --type=json|merge|strategic, cordon, status
// updates, server-side apply) against the real schemas of
// control-plane/api/schemas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResourceInfo } from '../../../../control-plane/api/resources.ts';
import { schemaForSubresource } from '../../../../control-plane/api/schemas/index.ts';
import type { KubeObject } from '../../../../control-plane/api/types.ts';
import { applyPatch, type PatchType } from '../../../../control-plane/apiserver/patch/index.ts';
import {
  container,
  deployments,
  expected,
  liveDeployment,
  nodes,
  pods,
  type LiveContainer,
} from './fixtures.ts';

interface Case {
  name: string;
  r: ResourceInfo;
  live: KubeObject;
  type: PatchType;
  patch: unknown;
  want: KubeObject;
}

const cases: Case[] = [
  {
    name: 'kubectl apply: changed image, added env var, removed port',
    r: deployments,
    live: liveDeployment(),
    type: 'application/strategic-merge-patch+json',
    patch: {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}\n' } },
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }],
            containers: [
              {
                '$setElementOrder/env': [{ name: 'A' }, { name: 'B' }],
                '$setElementOrder/ports': [{ containerPort: 80 }],
                env: [{ name: 'B', value: '2' }],
                image: 'nginx:1.26',
                name: 'web',
                ports: [{ $patch: 'delete', containerPort: 443 }],
              },
            ],
          },
        },
      },
    },
    want: expected(liveDeployment(), (o) => {
      o.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] = '{}\n';
      const web = container(o, 0);
      web.image = 'nginx:1.26';
      web.env.push({ name: 'B', value: '2' });
      web.ports = [{ containerPort: 80, protocol: 'TCP' }];
    }),
  },
  {
    name: 'kubectl apply: removed container and reordered',
    r: deployments,
    live: liveDeployment(),
    type: 'application/strategic-merge-patch+json',
    patch: {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'sidecar' }],
            containers: [{ $patch: 'delete', name: 'web' }],
          },
        },
      },
    },
    want: expected(liveDeployment(), (o) => {
      o.spec.template.spec.containers.shift();
    }),
  },
  {
    name: 'kubectl apply: strategy switched to Recreate with $retainKeys',
    r: deployments,
    live: liveDeployment(),
    type: 'application/strategic-merge-patch+json',
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
    want: expected(liveDeployment(), (o) => {
      o.spec.strategy = { type: 'Recreate' };
    }),
  },
  {
    name: 'kubectl set image (strategic: containers merge by name)',
    r: deployments,
    live: liveDeployment(),
    type: 'application/strategic-merge-patch+json',
    patch: {
      spec: { template: { spec: { containers: [{ image: 'busybox:2', name: 'sidecar' }] } } },
    },
    want: expected(liveDeployment(), (o) => {
      container(o, 1).image = 'busybox:2';
    }),
  },
  {
    name: 'kubectl rollout restart',
    r: deployments,
    live: liveDeployment(),
    type: 'application/strategic-merge-patch+json',
    patch: {
      spec: {
        template: {
          metadata: {
            annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' },
          },
        },
      },
    },
    want: expected(liveDeployment(), (o) => {
      o.spec.template.metadata.annotations = {
        'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z',
      };
    }),
  },
  {
    name: 'kubectl edit: replicas and a new env var on the first container',
    r: deployments,
    live: liveDeployment(),
    type: 'application/strategic-merge-patch+json',
    patch: {
      spec: {
        replicas: 5,
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }],
            containers: [
              {
                '$setElementOrder/env': [{ name: 'A' }, { name: 'C' }],
                env: [{ name: 'C', value: '3' }],
                name: 'web',
              },
            ],
          },
        },
      },
    },
    want: expected(liveDeployment(), (o) => {
      o.spec.replicas = 5;
      container(o, 0).env.push({ name: 'C', value: '3' });
    }),
  },
  {
    name: 'kubectl patch (strategic) adding a container puts it first, as Kubernetes does',
    r: deployments,
    live: liveDeployment(),
    type: 'application/strategic-merge-patch+json',
    patch: { spec: { template: { spec: { containers: [{ name: 'log', image: 'fluentd:1' }] } } } },
    want: expected(liveDeployment(), (o) => {
      o.spec.template.spec.containers.unshift({ name: 'log', image: 'fluentd:1' } as LiveContainer);
    }),
  },
  {
    name: 'strategic: tolerations are atomic and replaced',
    r: deployments,
    live: liveDeployment(),
    type: 'application/strategic-merge-patch+json',
    patch: { spec: { template: { spec: { tolerations: [{ key: 'b', operator: 'Exists' }] } } } },
    want: expected(liveDeployment(), (o) => {
      o.spec.template.spec.tolerations = [{ key: 'b', operator: 'Exists' }];
    }),
  },
  {
    name: 'strategic: finalizers union and $deleteFromPrimitiveList',
    r: deployments,
    live: liveDeployment(),
    type: 'application/strategic-merge-patch+json',
    patch: {
      metadata: {
        finalizers: ['example.com/c'],
        '$deleteFromPrimitiveList/finalizers': ['example.com/a'],
      },
    },
    // a plain merge puts items the live list lacks first (no $setElementOrder)
    want: expected(liveDeployment(), (o) => {
      o.metadata.finalizers = ['example.com/c', 'example.com/b'];
    }),
  },
  {
    name: 'kubectl label (merge patch)',
    r: deployments,
    live: liveDeployment(),
    type: 'application/merge-patch+json',
    patch: { metadata: { labels: { tier: 'frontend' } } },
    want: expected(liveDeployment(), (o) => {
      o.metadata.labels.tier = 'frontend';
    }),
  },
  {
    name: 'kubectl label app- (merge patch null removes)',
    r: deployments,
    live: liveDeployment(),
    type: 'application/merge-patch+json',
    patch: { metadata: { labels: { app: null } } },
    want: expected(liveDeployment(), (o) => {
      o.metadata.labels = {};
    }),
  },
  {
    name: 'kubectl annotate --overwrite (merge patch)',
    r: deployments,
    live: liveDeployment(),
    type: 'application/merge-patch+json',
    patch: { metadata: { annotations: { 'deployment.kubernetes.io/revision': '2' } } },
    want: expected(liveDeployment(), (o) => {
      o.metadata.annotations['deployment.kubernetes.io/revision'] = '2';
    }),
  },
  {
    name: 'kubectl patch --type=merge replaces the containers list whole',
    r: deployments,
    live: liveDeployment(),
    type: 'application/merge-patch+json',
    patch: { spec: { template: { spec: { containers: [{ name: 'web', image: 'x:1' }] } } } },
    want: expected(liveDeployment(), (o) => {
      o.spec.template.spec.containers = [{ name: 'web', image: 'x:1' } as LiveContainer];
    }),
  },
  {
    name: 'kubectl patch --type=json replace and add',
    r: deployments,
    live: liveDeployment(),
    type: 'application/json-patch+json',
    patch: [
      { op: 'test', path: '/spec/replicas', value: 2 },
      { op: 'replace', path: '/spec/replicas', value: 3 },
      { op: 'add', path: '/metadata/labels/tier', value: 'web' },
      { op: 'remove', path: '/spec/template/spec/containers/1' },
    ],
    want: expected(liveDeployment(), (o) => {
      o.spec.replicas = 3;
      o.metadata.labels.tier = 'web';
      o.spec.template.spec.containers.pop();
    }),
  },
  {
    name: 'kubectl cordon (strategic on a node)',
    r: nodes,
    live: {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1' },
      spec: { podCIDR: '10.244.1.0/24' },
    },
    type: 'application/strategic-merge-patch+json',
    patch: { spec: { unschedulable: true } },
    want: {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1' },
      spec: { podCIDR: '10.244.1.0/24', unschedulable: true },
    },
  },
  {
    name: 'status patch merges pod conditions by type',
    r: pods,
    live: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      status: {
        phase: 'Pending',
        conditions: [
          { type: 'PodScheduled', status: 'True' },
          { type: 'Ready', status: 'False' },
        ],
      },
    },
    type: 'application/strategic-merge-patch+json',
    patch: {
      status: {
        phase: 'Running',
        conditions: [
          { type: 'Ready', status: 'True' },
          { type: 'Initialized', status: 'True' },
        ],
      },
    },
    want: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      status: {
        phase: 'Running',
        conditions: [
          { type: 'PodScheduled', status: 'True' },
          { type: 'Ready', status: 'True' },
          { type: 'Initialized', status: 'True' },
        ],
      },
    },
  },
  {
    name: 'server-side apply merges containers by name and keeps other fields',
    r: deployments,
    live: liveDeployment(),
    type: 'application/apply-patch+yaml',
    patch: [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: web}',
      'spec:',
      '  replicas: 3',
      '  template:',
      '    spec:',
      '      containers:',
      '      - name: web',
      '        image: nginx:1.27',
    ].join('\n'),
    want: expected(liveDeployment(), (o) => {
      o.spec.replicas = 3;
      container(o, 0).image = 'nginx:1.27';
    }),
  },
];

for (const c of cases) {
  test(c.name, () => {
    const before = structuredClone(c.live);
    assert.deepEqual(applyPatch(c.r, c.live, c.type, c.patch), c.want);
    assert.deepEqual(c.live, before, 'the stored object is not modified');
  });
}

test('kubectl scale: merge patch on the Scale subresource', () => {
  const scale: KubeObject = {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 2 },
    status: { replicas: 2, selector: 'app=web' },
  };
  for (const type of [
    'application/merge-patch+json',
    'application/strategic-merge-patch+json',
  ] as const) {
    const got = applyPatch(
      deployments,
      scale,
      type,
      { spec: { replicas: 5 } },
      {
        schema: schemaForSubresource('scale'),
      },
    );
    assert.deepEqual(got, { ...scale, spec: { replicas: 5 } });
  }
});

test('a body still in text form is decoded', () => {
  const got = applyPatch(
    deployments,
    liveDeployment(),
    'application/merge-patch+json',
    '{"spec":{"replicas":7}}',
  ) as { spec: { replicas: number } };
  assert.equal(got.spec.replicas, 7);
});
