// Label and field selectors: Kubernetes' grammar, matching and messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isApiError } from '../../../control-plane/api/errors.ts';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import type { KubeObject, LabelSelector } from '../../../control-plane/api/types.ts';
import {
  fieldValue,
  formatFieldSelector,
  formatLabelSelector,
  labelSelectorFromSpec,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  selectsNothing,
  supportedFieldLabels,
} from '../../../control-plane/api/selectors.ts';

const KEY_NAME_RULE =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_RULE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

// selector → its requirements printed back (sorted by key, values sorted)
const valid: [string, string][] = [
  ['', ''],
  ['a=b', 'a=b'],
  ['a==b', 'a==b'],
  ['a!=b', 'a!=b'],
  [' a = b ', 'a=b'],
  ['a=', 'a='],
  ['a', 'a'],
  ['!a', '!a'],
  ['a in (x,y)', 'a in (x,y)'],
  ['a in (y,x,x)', 'a in (x,y)'],
  ['a notin (x)', 'a notin (x)'],
  ['x in (foo,,baz),y,z notin ()', 'x in (,baz,foo),y,z notin ()'],
  ['a in (,b)', 'a in (,b)'],
  ['a in (b,)', 'a in (,b)'],
  ['b=2,a=1', 'a=1,b=2'],
  ['app.kubernetes.io/name=web,tier!=db', 'app.kubernetes.io/name=web,tier!=db'],
  ['in in (in)', 'in in (in)'],
  ['notin notin (notin,in)', 'notin notin (in,notin)'],
  ['a>1', 'a>1'],
  ['a<3', 'a<3'],
  ['env in (prod),!canary,version', '!canary,env in (prod),version'],
];

for (const [s, want] of valid) {
  test(`parses ${JSON.stringify(s)}`, () => {
    assert.equal(formatLabelSelector(parseLabelSelector(s)), want);
  });
}

test('parsed requirements carry operator and values', () => {
  assert.deepEqual(parseLabelSelector('tier in (b,a),!x,app=web'), [
    { key: 'app', operator: '=', values: ['web'] },
    { key: 'tier', operator: 'in', values: ['a', 'b'] },
    { key: 'x', operator: '!', values: [] },
  ]);
});

// selector → the exact message Kubernetes answers with
const invalid: [string, string][] = [
  ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
  ['=a', "found '=', expected: !, identifier, or 'end of string'"],
  ['a,', "found '', expected: identifier after ','"],
  ['a,,b', "found ',', expected: identifier after ','"],
  ['a=b c', "found 'c', expected: ',' or 'end of string'"],
  ['!a=b', "found '=', expected: ',' or 'end of string'"],
  ['a in b', "unable to parse requirement: found 'b' expected: '('"],
  ['a in (b', "unable to parse requirement: found '', expected: ',' or ')'"],
  ['a in (b c)', "unable to parse requirement: found 'c', expected: ',' or ')'"],
  ['a in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
  ['a=(b)', "unable to parse requirement: found '(', expected: identifier"],
  ['a!b', "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt"],
  ['!', "unable to parse requirement: found '', expected: identifier"],
  [
    'app:monolith',
    `unable to parse requirement: <nil>: Invalid value: "app:monolith": ${KEY_NAME_RULE}`,
  ],
  ['a=b@c', `unable to parse requirement: values[0][a]: Invalid value: "b@c": ${VALUE_RULE}`],
  [
    'a in (x@,y@)',
    `unable to parse requirement: [values[0][a]: Invalid value: "x@": ${VALUE_RULE}, values[1][a]: Invalid value: "y@": ${VALUE_RULE}]`,
  ],
  [
    'a>x',
    "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer",
  ],
  [
    `a=${'v'.repeat(64)}`,
    `unable to parse requirement: values[0][a]: Invalid value: "${'v'.repeat(64)}": must be no more than 63 characters`,
  ],
];

for (const [s, message] of invalid) {
  test(`rejects ${JSON.stringify(s)}`, () => {
    assert.throws(
      () => parseLabelSelector(s),
      (err: unknown) => {
        assert.ok(isApiError(err, 'BadRequest'), String(err));
        assert.equal(err.code, 400);
        assert.equal(err.message, message);
        return true;
      },
    );
  });
}

// selector, labels, matches?
const matching: [string, Record<string, string> | undefined, boolean][] = [
  ['', {}, true],
  ['', undefined, true],
  ['a=b', { a: 'b' }, true],
  ['a=b', { a: 'c' }, false],
  ['a=b', {}, false],
  ['a==b', { a: 'b', x: 'y' }, true],
  ['a!=b', { a: 'c' }, true],
  ['a!=b', {}, true],
  ['a!=b', { a: 'b' }, false],
  ['a in (x,y)', { a: 'y' }, true],
  ['a in (x,y)', { a: 'z' }, false],
  ['a in (x,y)', {}, false],
  ['a notin (x,y)', { a: 'z' }, true],
  ['a notin (x,y)', {}, true],
  ['a notin (x,y)', { a: 'x' }, false],
  ['a', { a: '' }, true],
  ['a', { b: '' }, false],
  ['!a', { b: '' }, true],
  ['!a', { a: 'x' }, false],
  ['a=', { a: '' }, true],
  ['a>5', { a: '6' }, true],
  ['a>5', { a: '5' }, false],
  ['a>5', { a: 'six' }, false],
  ['a<5', { a: '-1' }, true],
  ['app=web,tier in (fe,be),!canary', { app: 'web', tier: 'be' }, true],
  ['app=web,tier in (fe,be),!canary', { app: 'web', tier: 'be', canary: 'true' }, false],
];

for (const [s, labels, want] of matching) {
  test(`${JSON.stringify(s)} ${want ? 'matches' : 'does not match'} ${JSON.stringify(labels)}`, () => {
    assert.equal(matchesLabels(parseLabelSelector(s), labels), want);
  });
}

// metav1.LabelSelector → string, and what it matches
const specs: [string, LabelSelector | null | undefined, string, Record<string, string>, boolean][] =
  [
    ['empty selects everything', {}, '', { any: 'thing' }, true],
    ['null selects nothing', null, '', {}, false],
    ['undefined selects nothing', undefined, '', { a: 'b' }, false],
    [
      'matchLabels',
      { matchLabels: { app: 'web', tier: 'fe' } },
      'app=web,tier=fe',
      { app: 'web', tier: 'fe' },
      true,
    ],
    [
      'matchExpressions',
      {
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['fe', 'be'] },
          { key: 'env', operator: 'NotIn', values: ['dev'] },
          { key: 'app', operator: 'Exists' },
          { key: 'canary', operator: 'DoesNotExist' },
        ],
      },
      'app,!canary,env notin (dev),tier in (be,fe)',
      { app: 'x', tier: 'be', env: 'prod' },
      true,
    ],
    [
      'both, merged and sorted by key',
      { matchLabels: { b: '1' }, matchExpressions: [{ key: 'a', operator: 'Exists' }] },
      'a,b=1',
      { b: '1' },
      false,
    ],
  ];

for (const [name, spec, want, labels, matches] of specs) {
  test(`labelSelectorFromSpec: ${name}`, () => {
    const reqs = labelSelectorFromSpec(spec);
    assert.equal(formatLabelSelector(reqs), want);
    assert.equal(matchesLabels(reqs, labels), matches);
    assert.equal(selectsNothing(reqs), spec == null);
  });
}

test('labelSelectorFromSpec rejects unknown operators and invalid values', () => {
  assert.throws(
    () => labelSelectorFromSpec({ matchExpressions: [{ key: 'a', operator: 'Near' }] }),
    (err: unknown) =>
      isApiError(err, 'BadRequest') &&
      err.message === '"Near" is not a valid label selector operator',
  );
  assert.throws(
    () => labelSelectorFromSpec({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }),
    (err: unknown) =>
      isApiError(err, 'BadRequest') && err.message.includes("values set can't be empty"),
  );
  assert.throws(
    () => labelSelectorFromSpec({ matchLabels: { 'bad key!': 'x' } }),
    (err: unknown) =>
      isApiError(err, 'BadRequest') && err.message.startsWith('key: Invalid value: "bad key!"'),
  );
});

// ---- field selectors ----

const pods = findResource('', 'v1', 'pods') as ResourceInfo;
const events = findResource('', 'v1', 'events') as ResourceInfo;
const nodes = findResource('', 'v1', 'nodes') as ResourceInfo;
const deployments = findResource('apps', 'v1', 'deployments') as ResourceInfo;
const jobs = findResource('batch', 'v1', 'jobs') as ResourceInfo;

test('field selectors parse =, == and != and sort their terms', () => {
  assert.deepEqual(parseFieldSelector('status.phase!=Running,metadata.name==web'), [
    { field: 'metadata.name', operator: '=', value: 'web' },
    { field: 'status.phase', operator: '!=', value: 'Running' },
  ]);
  assert.deepEqual(parseFieldSelector(''), []);
  assert.deepEqual(parseFieldSelector('a=b\\,c\\=d\\\\'), [
    { field: 'a', operator: '=', value: 'b,c=d\\' },
  ]);
  assert.deepEqual(parseFieldSelector('a='), [{ field: 'a', operator: '=', value: '' }]);
  assert.equal(formatFieldSelector(parseFieldSelector('b!=x,a=y\\,z')), 'a=y\\,z,b!=x');
});

const badFields: [string, ResourceInfo | undefined, string][] = [
  ['abc', undefined, "invalid selector: 'abc'; can't understand 'abc'"],
  ['a=b,c', undefined, "invalid selector: 'a=b,c'; can't understand 'c'"],
  ['a=b=c', undefined, 'invalid field selector: unescaped character in value: 61'],
  ['a=b\\x', undefined, 'invalid field selector: invalid escape sequence: \\x'],
  ['a=b\\', undefined, 'invalid field selector: invalid escape sequence: \\'],
  ['spec.foo=x', pods, 'field label not supported: spec.foo'],
  ['metadata.namespace=x', nodes, 'field label not supported: metadata.namespace'],
  [
    'status.replicas=1',
    deployments,
    '"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"',
  ],
  ['status.succeeded=1', jobs, 'field label "status.succeeded" not supported for batchv1.Job'],
];

for (const [s, r, message] of badFields) {
  test(`field selector ${JSON.stringify(s)}${r ? ` on ${r.plural}` : ''} is rejected`, () => {
    assert.throws(
      () => parseFieldSelector(s, r),
      (err: unknown) => isApiError(err, 'BadRequest') && err.message === message,
    );
  });
}

test('supported field labels per kind', () => {
  assert.ok(supportedFieldLabels(pods).includes('spec.nodeName'));
  assert.ok(supportedFieldLabels(events).includes('involvedObject.uid'));
  assert.deepEqual(supportedFieldLabels(deployments), ['metadata.name', 'metadata.namespace']);
  assert.deepEqual(parseFieldSelector('spec.host=n1', pods), [
    { field: 'spec.nodeName', operator: '=', value: 'n1' },
  ]);
});

const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default' },
  spec: { nodeName: 'node-a', restartPolicy: 'Always', containers: [] },
  status: { phase: 'Running', podIPs: [{ ip: '10.244.1.5' }] },
};
const event: KubeObject = {
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: 'web-1.17a', namespace: 'default' },
  involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', uid: 'u-1' },
  reason: 'Scheduled',
  type: 'Normal',
  reportingComponent: 'default-scheduler',
};

// object, selector, matches?
const fieldMatches: [KubeObject, string, boolean][] = [
  [pod, 'metadata.name=web-1', true],
  [pod, 'metadata.name=web-2', false],
  [pod, 'metadata.name!=web-2,metadata.namespace=default', true],
  [pod, 'spec.nodeName=node-a', true],
  [pod, 'spec.nodeName=', false],
  [pod, 'status.phase!=Running', false],
  [pod, 'status.podIP=10.244.1.5', true],
  [pod, 'spec.hostNetwork=false', true],
  [pod, 'status.nominatedNodeName=', true],
  [
    event,
    'involvedObject.kind=Pod,involvedObject.name=web-1,involvedObject.namespace=default,involvedObject.uid=u-1',
    true,
  ],
  [event, 'involvedObject.name=web-2', false],
  [event, 'source=default-scheduler', true],
  [event, 'type=Warning', false],
];

for (const [obj, s, want] of fieldMatches) {
  test(`${obj.kind} ${want ? 'matches' : 'does not match'} ${s}`, () => {
    assert.equal(
      matchesFields(parseFieldSelector(s, obj.kind === 'Pod' ? pods : events), obj),
      want,
    );
  });
}

test('fieldValue: kind-specific labels and plain dotted paths', () => {
  const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, spec: {} };
  const job: KubeObject = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j' },
    status: { succeeded: 2 },
  };
  const rs: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r' } };
  assert.equal(fieldValue(node, 'spec.unschedulable'), 'false');
  assert.equal(fieldValue(job, 'status.successful'), '2');
  assert.equal(fieldValue(rs, 'status.replicas'), '0');
  assert.equal(fieldValue(pod, 'spec.restartPolicy'), 'Always');
  assert.equal(fieldValue(pod, 'spec.containers'), '');
  assert.equal(fieldValue(pod, 'no.such.path'), '');
  assert.equal(fieldValue({ ...pod, spec: { hostNetwork: true } }, 'spec.hostNetwork'), 'true');
});
