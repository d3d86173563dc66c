/**
 * Input checks shared by every backend, run before anything is written, so
 * bad input never reaches SQLite or etcd and nothing is stored on failure.
 */
import { StoreError } from './errors.ts';

/** etcd's default request limit (--max-request-bytes), 1.5 MiB. */
export const MAX_VALUE_BYTES = 1.5 * 1024 * 1024;
/** Longest key accepted; Kubernetes keys are far shorter. */
export const MAX_KEY_BYTES = 4096;

// Control characters (and DEL) never belong in a key; they break logs and
// the "/registry/<resource>/<ns>/<name>" layout.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** Throws StoreError 'Invalid' unless `key` is a well-formed key. */
export function validateKey(key: unknown, what = 'key'): string {
  if (typeof key !== 'string') {
    throw new StoreError('Invalid', `${what} must be a string, got ${typeOf(key)}`);
  }
  if (key.length === 0) throw new StoreError('Invalid', `${what} must not be empty`);
  if (!key.startsWith('/')) {
    throw new StoreError('Invalid', `${what} ${JSON.stringify(key)} must start with "/"`);
  }
  if (CONTROL_CHARS.test(key)) {
    throw new StoreError('Invalid', `${what} ${JSON.stringify(key)} contains a control character`);
  }
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
    throw new StoreError('Invalid', `${what} is longer than ${MAX_KEY_BYTES} bytes`);
  }
  return key;
}

/** A prefix follows the key rules; "/" alone means every key. */
export function validatePrefix(prefix: unknown): string {
  return validateKey(prefix, 'prefix');
}

/** Throws StoreError 'Invalid' unless `value` is a string within the size limit. */
export function validateValue(value: unknown, key: string): string {
  if (typeof value !== 'string') {
    throw new StoreError('Invalid', `value of ${key} must be a string, got ${typeOf(value)}`);
  }
  const bytes = Buffer.byteLength(value);
  if (bytes > MAX_VALUE_BYTES) {
    throw new StoreError(
      'Invalid',
      `value of ${key} is ${bytes} bytes, over the limit of ${MAX_VALUE_BYTES} bytes (1.5 MiB)`,
    );
  }
  return value;
}

/** Throws StoreError 'Invalid' unless `rev` is a whole number >= 0. */
export function validateRevision(rev: unknown, what: string): number {
  if (typeof rev !== 'number' || !Number.isSafeInteger(rev) || rev < 0) {
    throw new StoreError('Invalid', `${what} must be a whole number >= 0, got ${String(rev)}`);
  }
  return rev;
}

/** Where a paginated list goes on: the revision it is read at and the last key returned. */
export interface ContinueToken {
  revision: number;
  startAfter: string;
}

export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ r: token.revision, k: token.startAfter })).toString(
    'base64url',
  );
}

export function decodeContinue(token: string): ContinueToken {
  try {
    const raw: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (raw !== null && typeof raw === 'object' && 'r' in raw && 'k' in raw) {
      const { r, k } = raw;
      if (typeof r === 'number' && Number.isSafeInteger(r) && r > 0 && typeof k === 'string') {
        return { revision: r, startAfter: k };
      }
    }
  } catch {
    // fall through to the error below
  }
  throw new StoreError('Invalid', 'continue token is malformed; start the list again without it');
}

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}
