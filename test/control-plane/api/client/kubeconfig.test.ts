import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import {
  KubeconfigError,
  loadKubeconfig,
  parseKubeconfig,
} from '../../../../control-plane/api/client/kubeconfig.ts';

const CA = '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\nclient\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n';
const b64 = (s: string) => Buffer.from(s).toString('base64');

function config(over: { cluster?: object; user?: object; context?: object; current?: string }) {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': over.current ?? 'main',
    clusters: [
      { name: 'skiff', cluster: { server: 'https://127.0.0.1:6443', ...over.cluster } },
      { name: 'other', cluster: { server: 'http://127.0.0.1:8080' } },
    ],
    users: [{ name: 'admin', user: { ...over.user } }],
    contexts: [
      { name: 'main', context: { cluster: 'skiff', user: 'admin', ...over.context } },
      { name: 'second', context: { cluster: 'other', user: 'admin', namespace: 'team-a' } },
    ],
  });
}

describe('kubeconfig', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'skiff-kubeconfig-'));
    mkdirSync(join(dir, 'pki'));
    writeFileSync(join(dir, 'pki', 'ca.crt'), CA);
    writeFileSync(join(dir, 'pki', 'client.crt'), CERT);
    writeFileSync(join(dir, 'pki', 'client.key'), KEY);
    writeFileSync(join(dir, 'token'), 'file-token\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  test('inline base64 material and a token', () => {
    const p = write(
      'inline.yaml',
      config({
        cluster: { 'certificate-authority-data': b64(CA), 'tls-server-name': 'skiff.local' },
        user: {
          'client-certificate-data': b64(CERT),
          'client-key-data': b64(KEY),
          token: 'abc',
        },
      }),
    );
    const s = loadKubeconfig(p);
    assert.equal(s.server, 'https://127.0.0.1:6443');
    assert.equal(s.ca?.toString(), CA);
    assert.equal(s.cert?.toString(), CERT);
    assert.equal(s.key?.toString(), KEY);
    assert.equal(s.token, 'abc');
    assert.equal(s.tlsServerName, 'skiff.local');
    assert.equal(s.namespace, 'default');
    assert.equal(s.context, 'main');
    assert.equal(s.insecureSkipTlsVerify, undefined);
  });

  test('file references resolve against the kubeconfig folder; tokenFile is trimmed', () => {
    const p = write(
      'files.yaml',
      config({
        cluster: { 'certificate-authority': 'pki/ca.crt', 'insecure-skip-tls-verify': true },
        user: {
          'client-certificate': join(dir, 'pki', 'client.crt'),
          'client-key': 'pki/client.key',
          tokenFile: 'token',
        },
        context: { namespace: 'prod' },
      }),
    );
    const s = loadKubeconfig(p);
    assert.equal(s.ca?.toString(), CA);
    assert.equal(s.cert?.toString(), CERT);
    assert.equal(s.key?.toString(), KEY);
    assert.equal(s.token, 'file-token');
    assert.equal(s.insecureSkipTlsVerify, true);
    assert.equal(s.namespace, 'prod');
  });

  test('an explicit context overrides current-context', () => {
    const s = parseKubeconfig(config({}), { path: '/x/config', context: 'second' });
    assert.equal(s.server, 'http://127.0.0.1:8080');
    assert.equal(s.namespace, 'team-a');
    assert.equal(s.context, 'second');
  });

  const failures: { name: string; text: string; message: RegExp }[] = [
    { name: 'not YAML', text: 'a: [', message: /not valid YAML/ },
    { name: 'not a mapping', text: '- 1\n- 2\n', message: /expected a YAML mapping/ },
    {
      name: 'no current-context',
      text: config({ current: '' }),
      message: /current-context is not set/,
    },
    {
      name: 'unknown context',
      text: config({ current: 'nope' }),
      message: /contexts has no entry named "nope"/,
    },
    {
      name: 'context without cluster',
      text: config({ context: { cluster: '' } }),
      message: /contexts\["main"\]\.context\.cluster is not set/,
    },
    {
      name: 'cluster without server',
      text: config({ cluster: { server: '' } }),
      message: /clusters\["skiff"\]\.cluster\.server is not set/,
    },
    {
      name: 'missing certificate file',
      text: config({ cluster: { 'certificate-authority': 'pki/missing.crt' } }),
      message: /clusters\["skiff"\]\.cluster\.certificate-authority: cannot read .*missing\.crt/,
    },
    {
      name: 'certificate without key',
      text: config({ user: { 'client-certificate-data': b64(CERT) } }),
      message: /client certificate without a key/,
    },
  ];
  for (const tc of failures) {
    test(`fails clearly: ${tc.name}`, () => {
      const p = write('bad.yaml', tc.text);
      assert.throws(
        () => loadKubeconfig(p),
        (err: unknown) => {
          assert.ok(err instanceof KubeconfigError);
          assert.ok(err.message.startsWith(`kubeconfig ${p}: `), err.message);
          assert.match(err.message, tc.message);
          return true;
        },
      );
    });
  }

  test('a missing file names the file', () => {
    const p = join(dir, 'absent.yaml');
    assert.throws(() => loadKubeconfig(p), new RegExp(`kubeconfig ${p}: cannot read the file`));
  });
});
