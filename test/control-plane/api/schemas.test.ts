/**
 * Every schema accepts realistic manifests: the fixtures are the kind of
 * YAML people `kubectl apply` (which sends fieldValidation=Strict), so no
 * field of theirs may be unknown, and each must pass semantic validation,
 * before and after defaulting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { RESOURCES, resourceForKind } from '../../../control-plane/api/resources.ts';
import { applyDefaults } from '../../../control-plane/api/defaults.ts';
import { validateObject } from '../../../control-plane/api/validation/index.ts';
import { allKindSchemas, schemaFor } from '../../../control-plane/api/schemas/index.ts';
import type { KubeObject } from '../../../control-plane/api/types.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');

function manifests(): { file: string; doc: KubeObject }[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(FIXTURES, file), 'utf8')).map((d) => ({
        file,
        doc: d.toJS() as KubeObject,
      })),
    );
}

for (const { file, doc } of manifests()) {
  test(`${file}: ${doc.kind} ${doc.metadata.name} is accepted without unknown fields`, () => {
    const r = resourceForKind(doc.apiVersion, doc.kind);
    assert.ok(r, `no resource for ${doc.apiVersion} ${doc.kind}`);
    const { object, unknownFields } = validateObject(r, doc, { operation: 'create' });
    assert.deepEqual(unknownFields, []);
    applyDefaults(r, object);
    const again = validateObject(r, object, { operation: 'create' });
    assert.deepEqual(again.unknownFields, [], 'defaults add only known fields');
    const update = validateObject(r, again.object, { operation: 'update', old: object });
    assert.deepEqual(update.unknownFields, []);
  });
}

test('the fixtures cover every kind with a spec that users write', () => {
  const kinds = new Set(manifests().map((m) => m.doc.kind));
  for (const k of [
    'Deployment',
    'Service',
    'Pod',
    'ConfigMap',
    'Secret',
    'Job',
    'DaemonSet',
    'Namespace',
    'Node',
    'Lease',
    'ServiceAccount',
  ])
    assert.ok(kinds.has(k), `no fixture for ${k}`);
});

test('every resource has a schema carrying its group-version-kind', () => {
  for (const r of RESOURCES) {
    const s = schemaFor(r) as {
      'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
    };
    assert.deepEqual(s['x-kubernetes-group-version-kind'], [
      { group: r.group, version: r.version, kind: r.kind },
    ]);
  }
  assert.equal(allKindSchemas().length, RESOURCES.length);
});

test('named sub-schemas carry Kubernetes OpenAPI names and one shape per name', () => {
  const byId = new Map<string, string>();
  const walk = (s: unknown): void => {
    if (Array.isArray(s)) return s.forEach(walk);
    if (typeof s !== 'object' || s === null) return;
    const id = (s as { $id?: unknown }).$id;
    if (typeof id === 'string') {
      assert.match(id, /^io\.k8s\.(api|apimachinery)\./);
      const shape = JSON.stringify(s);
      const seen = byId.get(id);
      if (seen !== undefined) assert.equal(shape, seen, `two different schemas named ${id}`);
      byId.set(id, shape);
    }
    Object.values(s).forEach(walk);
  };
  allKindSchemas().forEach(walk);
  assert.ok(byId.has('io.k8s.api.core.v1.Container'));
  assert.ok(byId.has('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'));
});
