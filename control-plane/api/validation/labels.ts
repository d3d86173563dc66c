/**
 * Label keys and values (qualified names) as Kubernetes checks them, with
 * its messages word for word.
 */
import { dns1123SubdomainErrors, maxLenError, regexError } from './names.ts';

const QUALIFIED_NAME_CHAR_FMT = '[A-Za-z0-9]';
const QUALIFIED_NAME_EXT_CHAR_FMT = '[-A-Za-z0-9_.]';
const QUALIFIED_NAME_FMT = `(${QUALIFIED_NAME_CHAR_FMT}${QUALIFIED_NAME_EXT_CHAR_FMT}*)?${QUALIFIED_NAME_CHAR_FMT}`;
const QUALIFIED_NAME_RE = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);
const QUALIFIED_NAME_MAX_LENGTH = 63;
const LABEL_VALUE_MAX_LENGTH = 63;

const QUALIFIED_NAME_ERR =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_ERR = regexError(
  `a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
  LABEL_VALUE_FMT,
  'MyValue',
  'my_value',
  '12345',
);

/**
 * Messages for a qualified name "[prefix/]name" (empty = valid): the
 * optional prefix is a DNS-1123 subdomain, the name ≤ 63 characters of
 * alphanumerics, '-', '_', '.' starting and ending alphanumeric.
 */
export function qualifiedNameErrors(value: string): string[] {
  const slash = value.indexOf('/');
  let name: string;
  const errs: string[] = [];
  if (slash < 0) {
    name = value;
  } else if (value.indexOf('/', slash + 1) < 0) {
    const prefix = value.slice(0, slash);
    name = value.slice(slash + 1);
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else for (const m of dns1123SubdomainErrors(prefix)) errs.push(`prefix part ${m}`);
  } else {
    return [
      regexError(
        `a qualified name ${QUALIFIED_NAME_ERR}`,
        QUALIFIED_NAME_FMT,
        'MyName',
        'my.name',
        '123-abc',
      ) + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > QUALIFIED_NAME_MAX_LENGTH)
    errs.push(`name part ${maxLenError(QUALIFIED_NAME_MAX_LENGTH)}`);
  if (name.length > 0 && !QUALIFIED_NAME_RE.test(name))
    errs.push(
      `name part ${regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`,
    );
  return errs;
}

/** Messages for a label key (empty = valid): a qualified name. */
export function validateLabelKey(k: string): string[] {
  return qualifiedNameErrors(k);
}

/** Messages for a label value (empty = valid): empty, or ≤ 63 characters of the qualified-name grammar. */
export function validateLabelValue(v: string): string[] {
  const errs: string[] = [];
  if (v.length > LABEL_VALUE_MAX_LENGTH) errs.push(maxLenError(LABEL_VALUE_MAX_LENGTH));
  if (!LABEL_VALUE_RE.test(v)) errs.push(LABEL_VALUE_ERR);
  return errs;
}
