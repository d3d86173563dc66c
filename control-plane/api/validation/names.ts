/**
 * Name grammars of Kubernetes (k8s.io/apimachinery/pkg/util/validation),
 * with its error messages word for word so clients see the same text.
 */

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';

const DNS1123_LABEL_RE = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const DNS1035_LABEL_RE = new RegExp(`^${DNS1035_LABEL_FMT}$`);

export const DNS1123_LABEL_MAX_LENGTH = 63;
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
export const DNS1035_LABEL_MAX_LENGTH = 63;

/** Kubernetes' RegexError: the message, its examples and the regex. */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  const eg = examples.map((e) => `'${e}', `).join(' or ');
  return `${msg} (e.g. ${eg}regex used for validation is '${fmt}')`;
}

/** "must be no more than N characters" */
export function maxLenError(n: number): string {
  return `must be no more than ${n} characters`;
}

export const DNS1123_LABEL_ERR = regexError(
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
  DNS1123_LABEL_FMT,
  'my-name',
  '123-abc',
);
export const DNS1123_SUBDOMAIN_ERR = regexError(
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
  DNS1123_SUBDOMAIN_FMT,
  'example.com',
);
export const DNS1035_LABEL_ERR = regexError(
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
  DNS1035_LABEL_FMT,
  'my-name',
  'abc-123',
);

/** True if `s` is a DNS-1123 label (≤ 63 chars: lowercase alphanumerics and '-'). */
export function isDns1123Label(s: string): boolean {
  return s.length <= DNS1123_LABEL_MAX_LENGTH && DNS1123_LABEL_RE.test(s);
}

/** True if `s` is a DNS-1123 subdomain (≤ 253 chars: dot-separated DNS-1123 labels). */
export function isDns1123Subdomain(s: string): boolean {
  return s.length <= DNS1123_SUBDOMAIN_MAX_LENGTH && DNS1123_SUBDOMAIN_RE.test(s);
}

/** True if `s` is a DNS-1035 label (a DNS-1123 label that starts with a letter). */
export function isDns1035Label(s: string): boolean {
  return s.length <= DNS1035_LABEL_MAX_LENGTH && DNS1035_LABEL_RE.test(s);
}

/** Messages for a DNS-1123 label (empty = valid), as IsDNS1123Label returns them. */
export function dns1123LabelErrors(s: string): string[] {
  const errs: string[] = [];
  if (s.length > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  if (!DNS1123_LABEL_RE.test(s)) errs.push(DNS1123_LABEL_ERR);
  return errs;
}

/** Messages for a DNS-1123 subdomain (empty = valid), as IsDNS1123Subdomain returns them. */
export function dns1123SubdomainErrors(s: string): string[] {
  const errs: string[] = [];
  if (s.length > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!DNS1123_SUBDOMAIN_RE.test(s)) errs.push(DNS1123_SUBDOMAIN_ERR);
  return errs;
}

/** Messages for a DNS-1035 label (empty = valid), as IsDNS1035Label returns them. */
export function dns1035LabelErrors(s: string): string[] {
  const errs: string[] = [];
  if (s.length > DNS1035_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1035_LABEL_MAX_LENGTH));
  if (!DNS1035_LABEL_RE.test(s)) errs.push(DNS1035_LABEL_ERR);
  return errs;
}

/**
 * Messages for an IANA_SVC_NAME (port names): at most 15 characters of
 * a-z, 0-9 and '-', at least one letter, no leading, trailing or double '-'.
 */
export function ianaSvcNameErrors(s: string): string[] {
  const errs: string[] = [];
  if (s.length > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(s))
    errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(s)) errs.push('must contain at least one letter (a-z)');
  if (s.includes('--')) errs.push('must not contain consecutive hyphens (-)');
  if (s.startsWith('-') || s.endsWith('-')) errs.push('must not begin or end with a hyphen (-)');
  return errs;
}

/** Messages for an environment variable name (Kubernetes' relaxed rule: printable ASCII except '='). */
export function envVarNameErrors(s: string): string[] {
  if (s.length > 0 && /^[\x20-\x3c\x3e-\x7e]+$/.test(s)) return [];
  return [
    "a valid environment variable name must consist only of printable ASCII characters other than '='",
  ];
}
