// toTable itself: column conventions, includeObject, row order, and the
// default table for kinds without a printer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES, type ResourceInfo } from '../../../../control-plane/api/resources.ts';
import { toTable, tableColumns } from '../../../../control-plane/apiserver/tables/index.ts';
import { now, obj, res } from './fixtures.ts';

test('every served resource has a table naming objects in a column of format "name"', () => {
  for (const r of RESOURCES) {
    const columns = tableColumns(r);
    const names = columns.filter((d) => d.format === 'name');
    assert.equal(names.length, 1, r.plural);
    assert.equal(names[0]?.name, 'Name');
    // only the event table leads with another column (LAST SEEN), as in Kubernetes
    assert.equal(columns[0]?.format === 'name', r.plural !== 'events', r.plural);
    for (const c of columns) {
      assert.deepEqual(Object.keys(c).sort(), [
        'description',
        'format',
        'name',
        'priority',
        'type',
      ]);
    }
  }
});

test('wide columns have priority 1', () => {
  const wide = (r: ResourceInfo) =>
    tableColumns(r)
      .filter((d) => d.priority === 1)
      .map((d) => d.name);
  assert.deepEqual(wide(res('apps', 'deployments')), ['Containers', 'Images', 'Selector']);
  assert.deepEqual(wide(res('', 'services')), ['Selector']);
  assert.deepEqual(wide(res('', 'nodes')), [
    'Internal-IP',
    'External-IP',
    'OS-Image',
    'Kernel-Version',
    'Container-Runtime',
  ]);
  assert.deepEqual(wide(res('', 'events')), ['Subobject', 'Source', 'First Seen', 'Count', 'Name']);
});

test('includeObject: Metadata (default), Object and None', () => {
  const r = res('', 'configmaps');
  const cm = obj('v1', 'ConfigMap', { data: { a: '1' } }, { uid: 'u-1', resourceVersion: '7' });
  const meta = toTable(r, [cm], { now });
  assert.deepEqual(meta.rows[0]?.object, {
    kind: 'PartialObjectMetadata',
    apiVersion: 'meta.k8s.io/v1',
    metadata: cm.metadata,
  });
  assert.deepEqual(toTable(r, [cm], { now, includeObject: 'Object' }).rows[0]?.object, cm);
  assert.equal(toTable(r, [cm], { now, includeObject: 'None' }).rows[0]?.object, undefined);
  assert.equal(meta.kind, 'Table');
  assert.equal(meta.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(meta.metadata, {});
});

test('rows keep the order of the objects; an empty list has columns and no rows', () => {
  const r = res('', 'secrets');
  const a = obj('v1', 'Secret', { type: 'Opaque' }, { name: 'b' });
  const b = obj('v1', 'Secret', { type: 'Opaque' }, { name: 'a' });
  assert.deepEqual(
    toTable(r, [a, b], { now }).rows.map((row) => row.cells[0]),
    ['b', 'a'],
  );
  const empty = toTable(r, [], { now });
  assert.deepEqual(empty.rows, []);
  assert.equal(empty.columnDefinitions.length, 4);
});

test('kinds without a printer get the default Name / Created At table', () => {
  const r: ResourceInfo = { ...res('', 'configmaps'), kind: 'Widget', plural: 'widgets' };
  const table = toTable(
    r,
    [obj('v1', 'Widget', {}, { creationTimestamp: '2025-02-01T10:00:00Z' })],
    { now },
  );
  assert.deepEqual(
    table.columnDefinitions.map((d) => [d.name, d.type, d.format]),
    [
      ['Name', 'string', 'name'],
      ['Created At', 'date', ''],
    ],
  );
  assert.deepEqual(table.rows[0]?.cells, ['x', '2025-02-01T10:00:00Z']);
});

test('a v1beta1 table for clients that ask for it', () => {
  const r = res('', 'configmaps');
  const table = toTable(r, [obj('v1', 'ConfigMap', {})], { now, version: 'v1beta1' });
  assert.equal(table.apiVersion, 'meta.k8s.io/v1beta1');
  assert.equal(
    (table.rows[0]?.object as { apiVersion?: string }).apiVersion,
    'meta.k8s.io/v1beta1',
  );
});
