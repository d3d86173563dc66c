/**
 * Output negotiation from the Accept header, asked again and again as the
 * server does (it keeps each header's answer): the same answers every time,
 * 406 every time for a header nothing in it is acceptable, and right
 * answers after many different headers went through.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isApiError } from '../../../control-plane/api/errors.ts';
import { negotiateOutput, type OutputFormat } from '../../../control-plane/apiserver/negotiate.ts';

const JSON_OUT: OutputFormat = { kind: 'object', yaml: false };
const YAML_OUT: OutputFormat = { kind: 'object', yaml: true };
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const KUBECTL_GET = `${TABLE},application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json`;

const cases: [string | undefined, boolean, OutputFormat | 'NotAcceptable'][] = [
  [undefined, true, JSON_OUT],
  ['', false, JSON_OUT],
  ['application/json', false, JSON_OUT],
  ['*/*', true, JSON_OUT],
  ['application/json, */*', false, JSON_OUT],
  ['application/yaml', true, YAML_OUT],
  [KUBECTL_GET, true, { kind: 'table', version: 'v1' }],
  // A write cannot answer a Table: the JSON entry after it wins.
  [KUBECTL_GET, false, JSON_OUT],
  [
    'application/json;as=Table;v=v1beta1;g=meta.k8s.io',
    true,
    { kind: 'table', version: 'v1beta1' },
  ],
  [
    'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
    true,
    { kind: 'metadata', version: 'v1' },
  ],
  [TABLE, false, 'NotAcceptable'],
  ['text/html', true, 'NotAcceptable'],
  ['application/vnd.kubernetes.protobuf', false, 'NotAcceptable'],
];

function answer(accept: string | undefined, transformable: boolean): unknown {
  try {
    return negotiateOutput(accept, transformable);
  } catch (err) {
    assert.ok(isApiError(err, 'NotAcceptable'), `expected a 406, got ${String(err)}`);
    assert.equal(err.code, 406);
    return 'NotAcceptable';
  }
}

describe('negotiateOutput', () => {
  for (const [accept, transformable, want] of cases) {
    it(`${JSON.stringify(accept)} (${transformable ? 'read' : 'write'}) → ${JSON.stringify(want)}, every time`, () => {
      for (let i = 0; i < 3; i++) assert.deepEqual(answer(accept, transformable), want);
    });
  }

  it('answers right after more different headers than it keeps', () => {
    for (let i = 0; i < 200; i++) {
      assert.deepEqual(answer(`application/json;x=${i}`, true), JSON_OUT);
      assert.deepEqual(answer(`text/plain;x=${i}`, false), 'NotAcceptable');
    }
    for (const [accept, transformable, want] of cases)
      assert.deepEqual(answer(accept, transformable), want);
  });
});
