/**
 * The path and query of a request target, as `new URL(target, base)`
 * returns them, without the WHATWG parser for the common case: a path of
 * plain segments and a query of printable ASCII, which that parser leaves
 * unchanged. Anything else (escapes, dot segments, other characters, a
 * fragment) goes through `new URL`, so the result is the same either way.
 */

export interface RequestUrl {
  /** The path, as URL.pathname. */
  pathname: string;
  /** The query parameters, as URL.searchParams. */
  query: URLSearchParams;
}

// Segments that start with no dot (so no "." or ".." to resolve) and hold no escapes.
const PLAIN_PATH = /^(?:\/[A-Za-z0-9_~-][A-Za-z0-9_.~-]*)+\/?$/;
// Printable ASCII without '#': URLSearchParams decodes what the URL parser would escape.
const PLAIN_QUERY = /^[\x21-\x22\x24-\x7e]*$/;

/** Splits a request target (origin form, "/path?query") into its path and query. */
export function parseRequestUrl(target: string): RequestUrl {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? '' : target.slice(q + 1);
  if (PLAIN_PATH.test(path) && PLAIN_QUERY.test(query)) {
    return { pathname: path, query: new URLSearchParams(query) };
  }
  const url = new URL(target, 'http://apiserver');
  return { pathname: url.pathname, query: url.searchParams };
}
