/**
 * TLS material for tests of the etcd backend's client-certificate path: a
 * throwaway CA, a server certificate for 127.0.0.1 and a client certificate.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EtcdTlsFiles } from './etcd.ts';

/**
 * A throwaway CA in `dir` with a server certificate for 127.0.0.1 and a
 * client certificate (P-256 keys, valid two days), made with openssl.
 */
export function makeCertificates(dir: string): EtcdTlsFiles {
  const f = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl(
    'req',
    '-x509',
    ...key,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
    '-days',
    '2',
    '-subj',
    '/CN=skiff-test-ca',
  );
  for (const [name, usage] of [
    ['server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth'],
    ['client', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    writeFileSync(f(`${name}.ext`), usage + '\n');
    ssl(
      'req',
      ...key,
      '-keyout',
      f(`${name}.key`),
      '-out',
      f(`${name}.csr`),
      '-subj',
      `/CN=skiff-test-${name}`,
    );
    ssl(
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('ca.crt'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-out',
      f(`${name}.crt`),
      '-days',
      '2',
      '-extfile',
      f(`${name}.ext`),
    );
  }
  return { caFile: f('ca.crt'), certFile: f('client.crt'), keyFile: f('client.key') };
}
