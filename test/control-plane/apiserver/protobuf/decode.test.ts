/**
 * The protobuf body decoder, on bodies built here with a tiny encoder that
 * follows the wire format (field numbers from k8s.io/api generated.proto).
 * End to end with the real kubectl: kubectl.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isApiError } from '../../../../control-plane/api/errors.ts';
import { decodeProtobufObject } from '../../../../control-plane/apiserver/protobuf/decode.ts';

type Field = [number, number | bigint] | [number, string | Uint8Array | Field[]];

function varint(n: bigint): number[] {
  let v = BigInt.asUintN(64, n);
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}

/** Encodes fields: numbers and bigints as varints, strings/bytes/nested fields as length-delimited. */
function enc(fields: Field[]): Uint8Array {
  const out: number[] = [];
  for (const [num, value] of fields) {
    if (typeof value === 'number' || typeof value === 'bigint') {
      out.push(...varint(BigInt(num) << 3n), ...varint(BigInt(value)));
      continue;
    }
    const bytes =
      typeof value === 'string'
        ? new TextEncoder().encode(value)
        : value instanceof Uint8Array
          ? value
          : enc(value);
    out.push(...varint((BigInt(num) << 3n) | 2n), ...varint(BigInt(bytes.length)), ...bytes);
  }
  return Uint8Array.from(out);
}

function envelope(apiVersion: string, kind: string, raw: Field[]): Uint8Array {
  const unknown = enc([
    [
      1,
      [
        [1, apiVersion],
        [2, kind],
      ],
    ],
    [2, enc(raw)],
    [3, ''],
    [4, ''],
  ]);
  return Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...unknown]);
}

const entry = (k: string, v: string | Uint8Array | Field[]): Field[] => [
  [1, k],
  [2, v],
];

describe('decodeProtobufObject', () => {
  it('decodes a Namespace, dropping the zero values Go writes for unset fields', () => {
    const meta: Field[] = [
      [1, 'team'],
      [2, ''],
      [7, 0],
      [8, []],
      [11, entry('a', 'b')],
      [11, entry('c', 'd')],
    ];
    const obj = decodeProtobufObject(
      envelope('v1', 'Namespace', [
        [1, meta],
        [2, []],
        [3, [[1, '']]],
        [99, ''],
      ]),
    );
    assert.deepEqual(obj, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'team', labels: { a: 'b', c: 'd' } },
      spec: {},
      status: {},
    });
  });

  it('keeps zero values of pointer fields and reads IntOrString, inline and repeated fields', () => {
    const container: Field[] = [
      [1, 'web'],
      [2, 'busybox:1.36'],
      [3, 'sh'],
      [3, '-c'],
      [
        6,
        [
          [3, 8080],
          [4, 'TCP'],
        ],
      ],
      [8, [[1, entry('cpu', [[1, '100m']])]]],
      [
        10,
        [
          [
            1,
            [
              [
                2,
                [
                  [1, '/healthz'],
                  [
                    2,
                    [
                      [1, 1],
                      [3, 'http'],
                    ],
                  ],
                ],
              ],
            ],
          ],
          [4, 5],
        ],
      ],
    ];
    const spec: Field[] = [
      [1, 0],
      [2, [[1, entry('app', 'web')]]],
      [
        3,
        [
          [1, [[11, entry('app', 'web')]]],
          [
            2,
            [
              [2, container],
              [4, 30],
              [11, 0],
            ],
          ],
        ],
      ],
      [
        4,
        [
          [1, 'RollingUpdate'],
          [
            2,
            [
              [1, [[2, 1]]],
              [
                2,
                [
                  [1, 1],
                  [3, '25%'],
                ],
              ],
            ],
          ],
        ],
      ],
      [5, 0],
      [7, 0],
    ];
    const obj = decodeProtobufObject(
      envelope('apps/v1', 'Deployment', [
        [1, [[1, 'web']]],
        [2, spec],
      ]),
    );
    assert.deepEqual(obj.spec, {
      replicas: 0,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'busybox:1.36',
              command: ['sh', '-c'],
              ports: [{ containerPort: 8080, protocol: 'TCP' }],
              resources: { limits: { cpu: '100m' } },
              livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5 },
            },
          ],
          terminationGracePeriodSeconds: 30,
        },
      },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: '25%' } },
    });
  });

  it('encodes bytes as base64, times as RFC 3339, and negative varints as negatives', () => {
    const secret = decodeProtobufObject(
      envelope('v1', 'Secret', [
        [
          1,
          [
            [1, 's'],
            [8, [[1, 1700000000]]],
            [10, -1n],
          ],
        ],
        [2, entry('pw', Uint8Array.from([0, 1, 255]))],
        [3, 'Opaque'],
      ]),
    );
    assert.deepEqual(secret.metadata, {
      name: 's',
      creationTimestamp: '2023-11-14T22:13:20Z',
      deletionGracePeriodSeconds: -1,
    });
    assert.deepEqual(secret.data, { pw: 'AAH/' });
  });

  it('decodes DeleteOptions and Eviction bodies', () => {
    const del: Field[] = [
      [1, 0],
      [2, [[1, 'uid-1']]],
      [4, 'Foreground'],
      [5, 'All'],
    ];
    const ev = decodeProtobufObject(
      envelope('policy/v1', 'Eviction', [
        [
          1,
          [
            [1, 'p'],
            [3, 'ns'],
          ],
        ],
        [2, del],
      ]),
    );
    assert.deepEqual(ev.deleteOptions, {
      gracePeriodSeconds: 0,
      preconditions: { uid: 'uid-1' },
      propagationPolicy: 'Foreground',
      dryRun: ['All'],
    });
  });

  const refused: [string, Uint8Array, 400 | 415][] = [
    ['a body without the envelope', new TextEncoder().encode('{"kind":"Pod"}'), 400],
    ['a truncated message', Uint8Array.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0x09, 0x0a]), 400],
    ['a kind without a decoder', envelope('v1', 'PersistentVolume', [[1, [[1, 'pv']]]]), 415],
    [
      'a field set that is not mapped',
      envelope('v1', 'ConfigMap', [
        [1, [[1, 'c']]],
        [42, 'x'],
      ]),
      415,
    ],
  ];
  for (const [name, body, code] of refused) {
    it(`refuses ${name} with ${code}`, () => {
      assert.throws(
        () => decodeProtobufObject(body),
        (e) =>
          isApiError(e) &&
          e.code === code &&
          (code === 400 || /send the object as application\/json/.test(e.message)),
      );
    });
  }
});
