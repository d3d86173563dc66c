import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  applyDefaultImageTag,
  parseNormalizedNamed,
} from '../../../node-agent/kubelet/image-reference.ts';
import {
  decideImage,
  pullFailedEvent,
  pullPolicyOf,
  pulledEvent,
  resolveImage,
} from '../../../node-agent/kubelet/image.ts';
import { isSyncError } from '../../../node-agent/kubelet/sync-error.ts';
import { container } from './fixtures.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;

const parsed: [string, string, string, string | undefined, string | undefined][] = [
  ['busybox', 'docker.io', 'library/busybox', undefined, undefined],
  ['busybox:1.36', 'docker.io', 'library/busybox', '1.36', undefined],
  ['skiff/echo:1', 'docker.io', 'skiff/echo', '1', undefined],
  ['127.0.0.1:5999/none:1', '127.0.0.1:5999', 'none', '1', undefined],
  ['localhost/app', 'localhost', 'app', undefined, undefined],
  ['registry.example:5000/team/app:v2', 'registry.example:5000', 'team/app', 'v2', undefined],
  [`app@${DIGEST}`, 'docker.io', 'library/app', undefined, DIGEST],
  [`index.docker.io/app:1@${DIGEST}`, 'docker.io', 'library/app', '1', DIGEST],
  ['a__b-c/e---f.g:tag_1.x-y', 'docker.io', 'a__b-c/e---f.g', 'tag_1.x-y', undefined],
  // A first component with a dot, a colon or upper case is a registry host.
  ['a.b/c', 'a.b', 'c', undefined, undefined],
];

for (const [ref, domain, path, tag, digest] of parsed) {
  test(`parseNormalizedNamed(${ref})`, () => {
    const r = parseNormalizedNamed(ref);
    assert.deepEqual([r.domain, r.path, r.tag, r.digest], [domain, path, tag, digest]);
  });
}

const malformed: [string, string][] = [
  ['BusyBox', 'invalid reference format: repository name (library/BusyBox) must be lowercase'],
  [
    'DUMMY_IMAGE:TEST',
    'invalid reference format: repository name (library/DUMMY_IMAGE) must be lowercase',
  ],
  ['registry.hub.docker.com/library//nginx:latest', 'invalid reference format'],
  [':sha-0b293ab', 'invalid reference format'],
  ['', 'invalid reference format'],
  ['app:', 'invalid reference format'],
  ['app:bad tag', 'invalid reference format'],
  ['-app', 'invalid reference format'],
  [
    'a'.repeat(64),
    `invalid repository name (${'a'.repeat(64)}), cannot specify 64-byte hexadecimal strings`,
  ],
  ['app@sha256:abc', 'invalid reference format'],
  [`app@sha256:${'a'.repeat(63)}`, 'invalid checksum digest length'],
  [`app@md5:${'a'.repeat(32)}`, 'unsupported digest algorithm'],
  [`${'a'.repeat(256)}`, 'repository name must not be more than 255 characters'],
];

for (const [ref, message] of malformed) {
  test(`parseNormalizedNamed rejects ${JSON.stringify(ref.slice(0, 40))}`, () => {
    assert.throws(() => parseNormalizedNamed(ref), { message });
  });
}

const tagged: [string, string][] = [
  ['busybox', 'busybox:latest'],
  ['busybox:1.36', 'busybox:1.36'],
  ['127.0.0.1:5999/none', '127.0.0.1:5999/none:latest'],
  [`app@${DIGEST}`, `app@${DIGEST}`],
];

for (const [image, want] of tagged) {
  test(`applyDefaultImageTag(${image})`, () => assert.equal(applyDefaultImageTag(image), want));
}

test('a malformed image fails with InvalidImageName and the kubelet message', () => {
  // "Bad" has upper case, so it is read as a registry host and "Image" as the repository.
  assert.throws(
    () => resolveImage(container('app', { image: 'Bad/Image' })),
    (err: unknown) => {
      assert.ok(isSyncError(err, 'InvalidImageName'));
      assert.equal(
        err.message,
        'Failed to apply default image tag "Bad/Image": couldn\'t parse image name "Bad/Image": ' +
          'invalid reference format: repository name (Image) must be lowercase',
      );
      return true;
    },
  );
});

const policies: [string, string | undefined, string][] = [
  ['busybox', undefined, 'Always'],
  ['busybox:latest', undefined, 'Always'],
  ['busybox:1.36', undefined, 'IfNotPresent'],
  [`busybox@${DIGEST}`, undefined, 'IfNotPresent'],
  ['busybox', 'Never', 'Never'],
];

for (const [image, given, want] of policies) {
  test(`pullPolicyOf(${image}, ${given ?? 'unset'}) = ${want}`, () => {
    const c = container('app', { image });
    if (given) c.imagePullPolicy = given;
    else delete c.imagePullPolicy;
    assert.equal(pullPolicyOf(c), want);
  });
}

interface DecisionCase {
  name: string;
  image: string;
  policy: string;
  present: boolean;
  inBackOff?: boolean;
  action: 'use' | 'pull' | 'fail';
  reason?: string;
  message?: string;
  event: string;
}

const decisions: DecisionCase[] = [
  {
    name: 'IfNotPresent and present',
    image: 'skiff/echo:1',
    policy: 'IfNotPresent',
    present: true,
    action: 'use',
    event: 'Pulled: Container image "skiff/echo:1" already present on machine',
  },
  {
    name: 'IfNotPresent and missing',
    image: 'skiff/echo:1',
    policy: 'IfNotPresent',
    present: false,
    action: 'pull',
    event: 'Pulling: Pulling image "skiff/echo:1"',
  },
  {
    name: 'Always pulls even when present',
    image: 'skiff/echo',
    policy: 'Always',
    present: true,
    action: 'pull',
    event: 'Pulling: Pulling image "skiff/echo"',
  },
  {
    name: 'Never and present',
    image: 'skiff/echo:1',
    policy: 'Never',
    present: true,
    action: 'use',
    event: 'Pulled: Container image "skiff/echo:1" already present on machine',
  },
  {
    name: 'Never and missing',
    image: 'skiff/echo:1',
    policy: 'Never',
    present: false,
    action: 'fail',
    reason: 'ErrImageNeverPull',
    message: 'Container image "skiff/echo:1" is not present with pull policy of Never',
    event:
      'ErrImageNeverPull: Container image "skiff/echo:1" is not present with pull policy of Never',
  },
  {
    name: 'a pull inside its backoff window',
    image: '127.0.0.1:5999/none:1',
    policy: 'IfNotPresent',
    present: false,
    inBackOff: true,
    action: 'fail',
    reason: 'ImagePullBackOff',
    message: 'Back-off pulling image "127.0.0.1:5999/none:1"',
    event: 'BackOff: Back-off pulling image "127.0.0.1:5999/none:1"',
  },
  {
    name: 'a malformed name whatever the policy',
    image: 'UPPER',
    policy: 'IfNotPresent',
    present: false,
    action: 'fail',
    reason: 'InvalidImageName',
    message:
      'Failed to apply default image tag "UPPER": couldn\'t parse image name "UPPER": invalid reference format: repository name (library/UPPER) must be lowercase',
    event:
      'InspectFailed: Failed to apply default image tag "UPPER": couldn\'t parse image name "UPPER": invalid reference format: repository name (library/UPPER) must be lowercase',
  },
];

for (const tc of decisions) {
  test(`decideImage: ${tc.name}`, () => {
    const d = decideImage(container('app', { image: tc.image, imagePullPolicy: tc.policy }), {
      present: tc.present,
      inBackOff: tc.inBackOff === true,
    });
    assert.equal(d.action, tc.action);
    assert.equal(`${d.event.reason}: ${d.event.message}`, tc.event);
    if (d.action === 'fail') {
      assert.equal(d.error.reason, tc.reason);
      assert.equal(d.error.message, tc.message);
    } else {
      assert.equal(d.image, applyDefaultImageTag(tc.image));
    }
  });
}

test('pull outcome events read as the kubelet writes them', () => {
  const c = container('app', { image: '127.0.0.1:5999/none:1' });
  assert.deepEqual(pullFailedEvent(c, new Error('connection refused')), {
    type: 'Warning',
    reason: 'Failed',
    message: 'Failed to pull image "127.0.0.1:5999/none:1": connection refused',
  });
  assert.deepEqual(pulledEvent(c, 1234), {
    type: 'Normal',
    reason: 'Pulled',
    message: 'Successfully pulled image "127.0.0.1:5999/none:1" in 1.234s',
  });
});
