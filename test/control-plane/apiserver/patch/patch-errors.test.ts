// The answers to patches that cannot apply: codes, reasons and messages as
// the Kubernetes API server gives them, the 415 for unknown types, and
// keys such as __proto__ that must stay plain data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isApiError } from '../../../../control-plane/api/errors.ts';
import type { KubeObject } from '../../../../control-plane/api/types.ts';
import {
  applyPatch,
  parsePatchType,
  PATCH_TYPES,
  type PatchType,
} from '../../../../control-plane/apiserver/patch/index.ts';
import { deployments, liveDeployment } from './fixtures.ts';

const failures: {
  name: string;
  type: PatchType;
  patch: unknown;
  code: number;
  reason: string;
  text: string;
  live?: KubeObject;
}[] = [
  {
    name: 'json patch: failed test',
    type: 'application/json-patch+json',
    patch: [{ op: 'test', path: '/spec/replicas', value: 9 }],
    code: 422,
    reason: 'Invalid',
    text: 'testing value /spec/replicas failed: test failed',
  },
  {
    name: 'json patch: missing path',
    type: 'application/json-patch+json',
    patch: [{ op: 'replace', path: '/spec/nope/x', value: 1 }],
    code: 422,
    reason: 'Invalid',
    text: 'doc is missing',
  },
  {
    name: 'json patch: unknown op',
    type: 'application/json-patch+json',
    patch: [{ op: 'frobnicate', path: '/a' }],
    code: 422,
    reason: 'Invalid',
    text: 'Unexpected kind: frobnicate',
  },
  {
    name: 'json patch: not a list',
    type: 'application/json-patch+json',
    patch: { op: 'add' },
    code: 400,
    reason: 'BadRequest',
    text: 'cannot unmarshal object into Go value of type jsonpatch.Patch',
  },
  {
    name: 'json patch: an item is not an object',
    type: 'application/json-patch+json',
    patch: ['x'],
    code: 400,
    reason: 'BadRequest',
    text: 'jsonpatch.Operation',
  },
  {
    name: 'json patch: too many operations',
    type: 'application/json-patch+json',
    patch: Array.from({ length: 10001 }, () => ({
      op: 'test',
      path: '/kind',
      value: 'Deployment',
    })),
    code: 413,
    reason: 'RequestEntityTooLarge',
    text: 'The allowed maximum operations in a JSON patch is 10000, got 10001',
  },
  {
    name: 'merge patch: null',
    type: 'application/merge-patch+json',
    patch: null,
    code: 400,
    reason: 'BadRequest',
    text: 'Invalid JSON Patch',
  },
  {
    name: 'merge patch: a scalar',
    type: 'application/merge-patch+json',
    patch: 5,
    code: 400,
    reason: 'BadRequest',
    text: 'Invalid JSON Patch',
  },
  {
    name: 'merge patch: an array',
    type: 'application/merge-patch+json',
    patch: [1],
    code: 422,
    reason: 'Invalid',
    text: 'cannot unmarshal array',
  },
  {
    name: 'merge patch: text that is not JSON',
    type: 'application/merge-patch+json',
    patch: '{nope',
    code: 400,
    reason: 'BadRequest',
    text: 'JSON',
  },
  {
    name: 'strategic: an array body',
    type: 'application/strategic-merge-patch+json',
    patch: [],
    code: 400,
    reason: 'BadRequest',
    text: 'json: cannot unmarshal array into Go value of type map[string]interface {}',
  },
  {
    name: 'strategic: a list item without its merge key',
    type: 'application/strategic-merge-patch+json',
    patch: { spec: { template: { spec: { containers: [{ image: 'x' }] } } } },
    code: 422,
    reason: 'Invalid',
    text: 'map: map[image:x] does not contain declared merge key: name',
  },
  {
    name: 'strategic: a bad $setElementOrder key',
    type: 'application/strategic-merge-patch+json',
    patch: { spec: { $setElementOrder: [] } },
    code: 400,
    reason: 'BadRequest',
    text: 'invalid patch format of setElementOrder list',
  },
  {
    name: 'strategic: lists of lists',
    type: 'application/strategic-merge-patch+json',
    patch: { metadata: { finalizers: [['x']] } },
    code: 422,
    reason: 'Invalid',
    text: 'lists of lists are not supported',
    live: { ...liveDeployment(), metadata: { name: 'web', finalizers: [] } },
  },
  {
    name: 'strategic: list element types differ',
    type: 'application/strategic-merge-patch+json',
    patch: { metadata: { finalizers: [1] } },
    code: 422,
    reason: 'Invalid',
    text: 'list element types are not identical: [[example.com/a example.com/b] [1]]',
  },
  {
    name: 'apply: YAML that is not an object',
    type: 'application/apply-patch+yaml',
    patch: '- a\n- b',
    code: 400,
    reason: 'BadRequest',
    text: 'error decoding YAML',
  },
];

for (const f of failures) {
  test(`fails: ${f.name}`, () => {
    assert.throws(
      () => applyPatch(deployments, f.live ?? liveDeployment(), f.type, f.patch),
      (err: unknown) => {
        assert.ok(isApiError(err), String(err));
        assert.equal(err.code, f.code);
        assert.equal(err.reason, f.reason);
        const text = [err.message, ...(err.details?.causes ?? []).map((c) => c.message)].join('\n');
        assert.ok(text.includes(f.text), `${text} does not mention ${f.text}`);
        return true;
      },
    );
  });
}

test('parsePatchType strips parameters and answers 415 for the rest', () => {
  assert.equal(
    parsePatchType('application/merge-patch+json; charset=utf-8'),
    'application/merge-patch+json',
  );
  assert.equal(parsePatchType('application/apply-patch+yaml'), 'application/apply-patch+yaml');
  for (const bad of ['application/json', 'text/plain', undefined, '']) {
    assert.throws(
      () => parsePatchType(bad),
      (err: unknown) =>
        isApiError(err, 'UnsupportedMediaType') &&
        err.code === 415 &&
        err.message.startsWith('the body of the request was in an unknown format'),
    );
  }
  assert.throws(
    () => applyPatch(deployments, liveDeployment(), 'text/plain' as PatchType, {}),
    (err: unknown) => isApiError(err, 'UnsupportedMediaType'),
  );
});

test('a __proto__ key in a patch stays a plain field and pollutes nothing', () => {
  const bodies: Record<PatchType, unknown> = {
    'application/merge-patch+json': JSON.parse('{"metadata":{"__proto__":{"polluted":1}}}'),
    'application/strategic-merge-patch+json': JSON.parse(
      '{"metadata":{"__proto__":{"polluted":1}}}',
    ),
    'application/apply-patch+yaml': '{"metadata":{"__proto__":{"polluted":1}}}',
    'application/json-patch+json': JSON.parse(
      '[{"op":"add","path":"/metadata/__proto__","value":{"polluted":1}}]',
    ),
  };
  for (const type of PATCH_TYPES) {
    try {
      const out = applyPatch(deployments, liveDeployment(), type, bodies[type]) as KubeObject;
      assert.equal(Object.getPrototypeOf(out.metadata), Object.prototype, type);
      assert.deepEqual(Object.getOwnPropertyDescriptor(out.metadata, '__proto__')?.value, {
        polluted: 1,
      });
    } catch (err) {
      // fast-json-patch refuses the operation outright: a 422 like any op that cannot apply
      assert.ok(isApiError(err, 'Invalid'), `${type}: ${String(err)}`);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined, type);
  }
});
