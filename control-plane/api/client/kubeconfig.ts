/**
 * Reading a kubeconfig file (the YAML kubectl uses) into connection
 * settings: the current context's cluster (server URL, CA, TLS options),
 * user (client certificate and key, or a bearer token) and namespace.
 * Relative file paths resolve against the kubeconfig's own folder, as
 * kubectl resolves them.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { ConnectionSettings } from './transport.ts';

/** A kubeconfig context resolved: where to connect, as whom, and the default namespace. */
export interface KubeconfigSettings extends ConnectionSettings {
  /** The context's namespace, "default" when it names none. */
  namespace: string;
  /** The context that was used. */
  context: string;
}

/** A kubeconfig that cannot be used; the message names the file and the field. */
export class KubeconfigError extends Error {
  constructor(file: string, message: string, cause?: unknown) {
    super(`kubeconfig ${file}: ${message}`, cause === undefined ? undefined : { cause });
    this.name = 'KubeconfigError';
  }
}

/** $KUBECONFIG's first file, else ~/.kube/config. */
export function defaultKubeconfigPath(): string {
  const env = process.env.KUBECONFIG?.split(':').find((p) => p !== '');
  return env ?? join(homedir(), '.kube', 'config');
}

/** Reads and resolves a kubeconfig file; `context` overrides its current-context. */
export function loadKubeconfig(path: string, opts: { context?: string } = {}): KubeconfigSettings {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new KubeconfigError(file, `cannot read the file: ${(err as Error).message}`, err);
  }
  return parseKubeconfig(text, { path: file, ...opts });
}

/**
 * Resolves kubeconfig text. `path` is the file it came from (for messages
 * and relative paths); `readFile` reads referenced certificate and token
 * files (fs by default).
 */
export function parseKubeconfig(
  text: string,
  opts: { path: string; context?: string; readFile?: (p: string) => Buffer },
): KubeconfigSettings {
  const file = opts.path;
  const fail = (msg: string, cause?: unknown): never => {
    throw new KubeconfigError(file, msg, cause);
  };
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    fail(`not valid YAML: ${(err as Error).message}`, err);
  }
  if (!isRecord(doc)) return fail('expected a YAML mapping with clusters, users and contexts');

  const contextName = opts.context ?? str(doc['current-context']);
  if (!contextName) return fail('current-context is not set; set it or pick a context');
  const context = named(doc, 'contexts', 'context', contextName, fail);
  const clusterName = str(context.cluster);
  if (!clusterName) return fail(`contexts["${contextName}"].context.cluster is not set`);
  const cluster = named(doc, 'clusters', 'cluster', clusterName, fail);
  const userName = str(context.user);
  const user = userName ? named(doc, 'users', 'user', userName, fail) : {};

  const server = str(cluster.server);
  if (!server) return fail(`clusters["${clusterName}"].cluster.server is not set`);
  const read = fileReader(file, opts.readFile ?? ((p) => readFileSync(p)), fail);
  const where = (section: string, name: string, field: string) =>
    `${section}["${name}"].${section === 'clusters' ? 'cluster' : 'user'}.${field}`;
  const material = (section: string, name: string, o: Record<string, unknown>, field: string) =>
    pem(o, field, where(section, name, field), read, fail);

  const token =
    str(user.token) ??
    (str(user.tokenFile)
      ? read(str(user.tokenFile) as string, where('users', userName ?? '', 'tokenFile'))
          .toString('utf8')
          .trim()
      : undefined);
  const settings: KubeconfigSettings = {
    server,
    namespace: str(context.namespace) ?? 'default',
    context: contextName,
  };
  const ca = material('clusters', clusterName, cluster, 'certificate-authority');
  const cert = material('users', userName ?? '', user, 'client-certificate');
  const key = material('users', userName ?? '', user, 'client-key');
  if (ca) settings.ca = ca;
  if (cert) settings.cert = cert;
  if (key) settings.key = key;
  if (token) settings.token = token;
  if (cluster['insecure-skip-tls-verify'] === true) settings.insecureSkipTlsVerify = true;
  const serverName = str(cluster['tls-server-name']);
  if (serverName) settings.tlsServerName = serverName;
  if (Boolean(cert) !== Boolean(key)) {
    fail(
      `users["${userName ?? ''}"] has a client certificate without a key or a key without a certificate`,
    );
  }
  return settings;
}

type Fail = (msg: string, cause?: unknown) => never;

// kubeconfig lists are [{ name, <inner>: {...} }]; returns the inner mapping.
function named(
  doc: Record<string, unknown>,
  section: string,
  inner: string,
  name: string,
  fail: Fail,
): Record<string, unknown> {
  const list = doc[section];
  if (!Array.isArray(list)) return fail(`${section} is missing (needed for "${name}")`);
  const entry: unknown = list.find((e) => isRecord(e) && e.name === name);
  if (!isRecord(entry)) return fail(`${section} has no entry named "${name}"`);
  const body = entry[inner];
  if (!isRecord(body)) return fail(`${section}["${name}"].${inner} is missing or not a mapping`);
  return body;
}

// "<field>-data" holds base64 PEM; "<field>" names a file.
function pem(
  o: Record<string, unknown>,
  field: string,
  where: string,
  read: (p: string, where: string) => Buffer,
  fail: Fail,
): Buffer | undefined {
  const data = str(o[`${field}-data`]);
  if (data) {
    const buf = Buffer.from(data, 'base64');
    if (buf.length === 0) fail(`${where}-data is not valid base64`);
    return buf;
  }
  const path = str(o[field]);
  return path ? read(path, where) : undefined;
}

function fileReader(
  file: string,
  readFile: (p: string) => Buffer,
  fail: Fail,
): (p: string, where: string) => Buffer {
  return (p, where) => {
    const full = isAbsolute(p) ? p : resolve(dirname(file), p);
    try {
      return readFile(full);
    } catch (err) {
      return fail(`${where}: cannot read ${full}: ${(err as Error).message}`, err);
    }
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
