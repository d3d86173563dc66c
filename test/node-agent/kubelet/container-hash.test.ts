import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Container } from '../../../control-plane/api/types.ts';
import {
  HASH_VERSION,
  canonicalJson,
  containerChanged,
  hashContainer,
} from '../../../node-agent/kubelet/container-hash.ts';
import { container, reverseKeys } from './fixtures.ts';

const base = container('app', {
  command: ['/bin/app'],
  env: [{ name: 'A', value: '1' }],
  readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
});

const variants: [string, Partial<Container>, boolean][] = [
  ['image', { image: 'skiff/echo:2' }, true],
  ['command', { command: ['/bin/other'] }, true],
  ['args', { args: ['-v'] }, true],
  ['env', { env: [{ name: 'A', value: '2' }] }, true],
  ['workingDir', { workingDir: '/srv' }, true],
  ['volumeMounts', { volumeMounts: [{ name: 'data', mountPath: '/data' }] }, true],
  ['securityContext', { securityContext: { runAsUser: 1000 } }, true],
  ['readinessProbe', { readinessProbe: { httpGet: { path: '/other', port: 8080 } } }, false],
  ['livenessProbe', { livenessProbe: { tcpSocket: { port: 8080 } } }, false],
  ['resources', { resources: { limits: { memory: '1Gi' } } }, false],
  ['lifecycle', { lifecycle: { preStop: { exec: { command: ['sleep', '1'] } } } }, false],
];

for (const [field, change, changes] of variants) {
  test(`changing ${field} ${changes ? 'changes' : 'keeps'} the hash`, () => {
    const h = hashContainer({ ...base, ...change });
    if (changes) assert.notEqual(h, hashContainer(base));
    else assert.equal(h, hashContainer(base));
  });
}

test('the hash ignores key order and is 16 hex digits', () => {
  const reordered = reverseKeys(base);
  assert.notDeepEqual(Object.keys(reordered), Object.keys(base));
  assert.equal(hashContainer(reordered), hashContainer(base));
  assert.match(hashContainer(base), /^[0-9a-f]{16}$/);
  assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }] }), '{"a":[{"d":2}],"b":1}');
});

const changedCases: [string, { hash: string; hashVersion: string; image: string }, boolean][] = [
  [
    'same hash, same version',
    { hash: hashContainer(base), hashVersion: HASH_VERSION, image: 'x' },
    false,
  ],
  [
    'other hash, same version',
    { hash: '0000000000000000', hashVersion: HASH_VERSION, image: 'skiff/echo:1' },
    true,
  ],
  // An agent upgrade that changed the hash must not restart containers: compare the image only.
  [
    'other version, same image',
    { hash: 'whatever', hashVersion: '0', image: 'skiff/echo:1' },
    false,
  ],
  [
    'other version, other image',
    { hash: 'whatever', hashVersion: '0', image: 'skiff/echo:2' },
    true,
  ],
];

for (const [name, observed, want] of changedCases) {
  test(`containerChanged: ${name}`, () => {
    assert.equal(containerChanged(base, 'skiff/echo:1', observed), want);
  });
}
