// Strategic merge patch against Kubernetes' own test table
// (strategicpatch/patch_test.go, ported to testdata/strategic-merge-cases.yaml)
// with the Go test's MergeItem type written as a JSON schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { isApiError, type ApiError } from '../../../../control-plane/api/errors.ts';
import { strategicMerge } from '../../../../control-plane/apiserver/patch/strategic-merge.ts';
import type { Schema } from '../../../../control-plane/apiserver/patch/patch-meta.ts';

/** MergeItem of patch_test.go: the struct tags as x-kubernetes-patch-* extensions. */
function mergeItemSchema(): Schema {
  const item: Record<string, unknown> = { type: 'object' };
  const mergeList = (strategy = 'merge') => ({
    type: 'array',
    items: item,
    'x-kubernetes-patch-strategy': strategy,
    'x-kubernetes-patch-merge-key': 'name',
  });
  const str = { type: 'string' };
  const simpleMap = { type: 'object', additionalProperties: str };
  item.properties = {
    name: str,
    value: str,
    other: str,
    mergingList: mergeList(),
    nonMergingList: { type: 'array', items: item },
    mergingIntList: {
      type: 'array',
      items: { type: 'integer' },
      'x-kubernetes-patch-strategy': 'merge',
    },
    nonMergingIntList: { type: 'array', items: { type: 'integer' } },
    mergeItemPtr: mergeList(),
    simpleMap,
    replacingItem: { type: 'object', 'x-kubernetes-patch-strategy': 'replace' },
    retainKeysMap: {
      type: 'object',
      'x-kubernetes-patch-strategy': 'retainKeys',
      properties: {
        name: str,
        value: str,
        other: str,
        simpleMap,
        mergingIntList: {
          type: 'array',
          items: { type: 'integer' },
          'x-kubernetes-patch-strategy': 'merge',
        },
        mergingList: mergeList(),
        nonMergingList: { type: 'array', items: item },
      },
    },
    retainKeysMergingList: mergeList('merge,retainKeys'),
  };
  return item;
}

/** The message a client sees, with the causes 422 answers carry. */
function errorText(err: ApiError): string {
  return [err.message, ...(err.details?.causes ?? []).map((c) => c.message)].join('\n');
}

interface Case {
  description: string;
  original?: Record<string, unknown>;
  twoWay: unknown;
  modified?: unknown;
  twoWayResult?: unknown;
  current?: Record<string, unknown>;
  threeWay?: unknown;
  result?: unknown;
  expectedError?: string;
}

const file = new URL('./testdata/strategic-merge-cases.yaml', import.meta.url);
const { testCases } = parse(readFileSync(file, 'utf8')) as { testCases: Case[] };
const schema = mergeItemSchema();

for (const c of testCases) {
  test(`two-way: ${c.description}`, () => {
    const original = c.original ?? {};
    if (c.expectedError !== undefined) {
      assert.throws(
        () => strategicMerge(original, c.twoWay, schema),
        (err: unknown) => isApiError(err) && errorText(err).includes(c.expectedError as string),
      );
      return;
    }
    const before = structuredClone(original);
    assert.deepEqual(strategicMerge(original, c.twoWay, schema), c.twoWayResult ?? c.modified);
    assert.deepEqual(original, before, 'the original is not modified');
  });
  if (c.current !== undefined && c.threeWay !== undefined) {
    test(`three-way: ${c.description}`, () => {
      assert.deepEqual(strategicMerge(c.current, c.threeWay, schema), c.result);
    });
  }
}

test('the number of ported cases stays large', () => {
  assert.ok(testCases.length >= 60, `only ${testCases.length} cases`);
});
