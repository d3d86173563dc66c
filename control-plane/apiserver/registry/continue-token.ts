/**
 * The API's continue token: where the next page of a list starts. It wraps
 * the store's own (opaque, backend-specific) token with the page size and
 * the number of items of that page already consumed, so a page filtered by
 * selectors can stop in the middle of a store page and resume exactly there
 * (the store page read again at the same revision is the same page).
 */
import { ApiError } from '../../api/errors.ts';

export interface ApiContinue {
  /** The list revision every page is read at. */
  revision: number;
  /** The store token of the store page to read; undefined for the first store page. */
  storeToken: string | undefined;
  /** Store page size used when the token was made. */
  pageSize: number;
  /** Items of that store page already returned or skipped. */
  skip: number;
}

export function encodeApiContinue(c: ApiContinue): string {
  const raw = {
    r: c.revision,
    p: c.pageSize,
    s: c.skip,
    ...(c.storeToken ? { t: c.storeToken } : {}),
  };
  return Buffer.from(JSON.stringify(raw)).toString('base64url');
}

/** Throws ApiError 400 for a token this server did not make. */
export function decodeApiContinue(token: string): ApiContinue {
  try {
    const raw: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (raw !== null && typeof raw === 'object') {
      const { r, p, s, t } = raw as Record<string, unknown>;
      if (
        isCount(r) &&
        r > 0 &&
        isCount(p) &&
        p > 0 &&
        isCount(s) &&
        (t === undefined || typeof t === 'string')
      ) {
        return { revision: r, pageSize: p, skip: s, storeToken: t };
      }
    }
  } catch {
    // fall through to the error below
  }
  throw ApiError.badRequest(
    'continue key is not valid: the continue token is malformed; start the list again without it',
  );
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
