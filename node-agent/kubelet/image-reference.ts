/**
 * Image references as Docker and Kubernetes read them (pure), after
 * distribution/reference: ParseNormalizedNamed's rules and error texts,
 * so a malformed name fails with the words users search for.
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [domain "/"] path-component ["/" path-component]*
 */

const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE_RE = new RegExp(
  `^((?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`,
);
const IDENTIFIER_RE = /^[a-f0-9]{64}$/;
const NAME_MAX = 255;
const DIGEST_LENGTHS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

export const DEFAULT_DOMAIN = 'docker.io';
export const DEFAULT_TAG = 'latest';

/** A parsed, normalized reference ("busybox" → docker.io/library/busybox). */
export interface ImageReference {
  domain: string;
  /** The repository path within the domain, e.g. "library/busybox". */
  path: string;
  tag?: string;
  digest?: string;
}

/** Parses `ref` as ParseNormalizedNamed does; throws Error with its message. */
export function parseNormalizedNamed(ref: string): ImageReference {
  if (IDENTIFIER_RE.test(ref)) {
    throw new Error(`invalid repository name (${ref}), cannot specify 64-byte hexadecimal strings`);
  }
  const { domain, remainder } = splitDockerDomain(ref);
  const colon = remainder.indexOf(':');
  const remote = colon >= 0 ? remainder.slice(0, colon) : remainder;
  if (remote.toLowerCase() !== remote) {
    throw new Error(`invalid reference format: repository name (${remote}) must be lowercase`);
  }
  const full = `${domain}/${remainder}`;
  const m = REFERENCE_RE.exec(full);
  if (!m) throw new Error('invalid reference format');
  const name = m[1] ?? '';
  if (name.length > NAME_MAX) {
    throw new Error(`repository name must not be more than ${NAME_MAX} characters`);
  }
  const digest = m[3];
  if (digest !== undefined) checkDigest(digest);
  return {
    domain,
    path: name.slice(domain.length + 1),
    ...(m[2] !== undefined ? { tag: m[2] } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

// splitDockerDomain: the first component is a domain only if it looks like
// one (has "." or ":", is "localhost", or has upper case); Docker Hub
// official images live under "library/".
function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  let domain = DEFAULT_DOMAIN;
  let remainder = name;
  if (slash >= 0) {
    const first = name.slice(0, slash);
    if (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first) {
      domain = first;
      remainder = name.slice(slash + 1);
    }
  }
  if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = `library/${remainder}`;
  return { domain, remainder };
}

function checkDigest(digest: string): void {
  const [algorithm = '', hex = ''] = digest.split(':');
  const want = DIGEST_LENGTHS[algorithm];
  if (want === undefined) throw new Error('unsupported digest algorithm');
  if (hex.length !== want) throw new Error('invalid checksum digest length');
  if (!/^[a-f0-9]+$/.test(hex)) throw new Error('invalid checksum digest format');
}

/**
 * `image` with ":latest" appended when it has neither tag nor digest, as
 * the kubelet's applyDefaultImageTag (the name itself is kept as written,
 * not expanded to docker.io/library/...). Throws Error
 * `couldn't parse image name "X": <reason>` for a malformed reference.
 */
export function applyDefaultImageTag(image: string): string {
  let ref: ImageReference;
  try {
    ref = parseNormalizedNamed(image);
  } catch (err) {
    throw new Error(`couldn't parse image name ${goQuote(image)}: ${(err as Error).message}`);
  }
  if (ref.digest === undefined && ref.tag === undefined) return `${image}:${DEFAULT_TAG}`;
  return image;
}

/** A string quoted as Go's %q does for printable text. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}
