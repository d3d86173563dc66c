import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  engineMessage,
  engineStatus,
  ignoring,
  unlessNotFound,
} from '../../../../node-agent/kubelet/runtime/docker-errors.ts';

/** An error shaped like dockerode's (statusCode and the parsed body in json). */
function dockerError(statusCode: number, json: unknown): Error {
  return Object.assign(new Error(`(HTTP code ${statusCode}) unexpected`), { statusCode, json });
}

test('engineStatus and engineMessage read dockerode errors', () => {
  const e = dockerError(404, { message: 'No such container: abc\n' });
  assert.equal(engineStatus(e), 404);
  assert.equal(engineMessage(e), 'No such container: abc');
  assert.equal(engineMessage(dockerError(500, 'plain text body')), 'plain text body');
  assert.equal(engineMessage(dockerError(500, null)), '(HTTP code 500) unexpected');
  const wrapped = Object.assign(
    new Error(
      '(HTTP code 500) server error - Get "http://127.0.0.1:5999/v2/": connection refused ',
    ),
    { statusCode: 500 },
  );
  assert.equal(engineMessage(wrapped), 'Get "http://127.0.0.1:5999/v2/": connection refused');
  assert.equal(engineStatus(new Error('socket hang up')), undefined);
  assert.equal(engineMessage('just a string'), 'just a string');
});

test('unlessNotFound turns 404 into undefined and rethrows the rest', async () => {
  assert.equal(await unlessNotFound(() => Promise.reject(dockerError(404, {}))), undefined);
  assert.equal(await unlessNotFound(() => Promise.resolve(7)), 7);
  await assert.rejects(
    unlessNotFound(() => Promise.reject(dockerError(500, {}))),
    /HTTP code 500/,
  );
});

test('ignoring lets the listed statuses pass', async () => {
  await ignoring([304, 404], () => Promise.reject(dockerError(304, {})));
  await assert.rejects(
    ignoring([304], () => Promise.reject(dockerError(409, {}))),
    /HTTP code 409/,
  );
  await assert.rejects(
    ignoring([304], () => Promise.reject(new Error('ECONNREFUSED'))),
    /ECONNREFUSED/,
  );
});
