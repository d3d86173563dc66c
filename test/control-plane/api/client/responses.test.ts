import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  errorFromResponse,
  parseWarnings,
} from '../../../../control-plane/api/client/responses.ts';
import { ApiError } from '../../../../control-plane/api/errors.ts';

const response = (status: number, body: string) => ({
  status,
  headers: {},
  body: Buffer.from(body),
});

describe('responses', () => {
  test('a Status body becomes the ApiError it describes', () => {
    const status = ApiError.conflict({ kind: 'pods', name: 'web' }, 'the object has been modified');
    const err = errorFromResponse('PUT', 'http://h/api/v1/namespaces/d/pods/web', {
      ...response(409, JSON.stringify(status.toStatus())),
    });
    assert.equal(err.reason, 'Conflict');
    assert.equal(err.code, 409);
    assert.equal(err.message, status.message);
    assert.deepEqual(err.details, status.details);
  });

  const others = [
    {
      name: 'plain text',
      status: 502,
      body: 'bad gateway\n',
      reason: 'InternalError',
      text: ': bad gateway',
    },
    {
      name: 'JSON that is no Status',
      status: 404,
      body: '{"a":1}',
      reason: 'NotFound',
      text: ': {"a":1}',
    },
    { name: 'an empty body', status: 503, body: '', reason: 'ServiceUnavailable', text: '' },
  ];
  for (const tc of others) {
    test(`any other body keeps the code and quotes the body: ${tc.name}`, () => {
      const err = errorFromResponse('GET', 'http://h/api', response(tc.status, tc.body));
      assert.equal(err.code, tc.status);
      assert.equal(err.reason, tc.reason);
      assert.equal(err.message, `GET http://h/api: HTTP ${tc.status}${tc.text}`);
    });
  }

  test('parseWarnings reads Kubernetes Warning headers', () => {
    assert.deepEqual(parseWarnings('299 - "unknown field \\"spec.foo\\""'), [
      'unknown field "spec.foo"',
    ]);
    assert.deepEqual(parseWarnings(['299 - "a"', '299 - "b", 299 - "c"']), ['a', 'b', 'c']);
  });
});
