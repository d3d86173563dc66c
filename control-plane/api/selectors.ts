/**
 * Label and field selectors with Kubernetes' grammar, matching and error
 * wording (k8s.io/apimachinery/pkg/labels/selector.go and
 * pkg/fields/selector.go). Pure functions: the API server parses the
 * `labelSelector` / `fieldSelector` query parameters with them, the client
 * and controllers match objects against a spec's metav1.LabelSelector.
 *
 * A requirement list means AND of its requirements; the empty list matches
 * everything. Malformed input throws ApiError 400 BadRequest.
 */
import { ApiError } from './errors.ts';
import type { ResourceInfo } from './resources.ts';
import type { KubeObject, LabelSelector } from './types.ts';
import { validateLabelKey, validateLabelValue } from './validation/labels.ts';

/** Operators as Kubernetes' selection.Operator spells them. */
export type SelectorOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

/** One label requirement: `key op values`. Values are sorted and unique when parsed. */
export interface LabelSelectorRequirement {
  key: string;
  operator: SelectorOperator;
  values: string[];
}

/** metav1.LabelSelector (the schema type of types.ts), under the name this module used first. */
export type LabelSelectorSpec = LabelSelector;

/** The requirement a null selector turns into: `In` with no values, which no label set satisfies. */
const NOTHING: LabelSelectorRequirement = { key: '', operator: 'in', values: [] };

/**
 * Parses a label selector string (`a=b,c!=d,e in (x,y),!f,g`) into requirements
 * sorted by key. The empty string gives [] (matches everything). Throws 400 with
 * Kubernetes' message, e.g. `unable to parse requirement: found '', expected: identifier`.
 */
export function parseLabelSelector(s: string): LabelSelectorRequirement[] {
  try {
    const reqs = parseTokens(lex(s));
    return reqs.sort(byKey);
  } catch (err) {
    if (err instanceof SelectorSyntaxError) throw ApiError.badRequest(err.message);
    throw err;
  }
}

/**
 * Converts a metav1.LabelSelector into requirements (LabelSelectorAsSelector).
 * Pass `{}` (or a selector with no terms) to match everything; pass null or
 * undefined to match nothing — the result then holds one requirement that no
 * label set satisfies, and formatLabelSelector renders it as ''. Throws 400
 * for an unknown operator or an invalid key/value.
 */
export function labelSelectorFromSpec(
  sel: LabelSelector | null | undefined,
): LabelSelectorRequirement[] {
  if (sel == null) return [{ ...NOTHING, values: [] }];
  const reqs: LabelSelectorRequirement[] = [];
  try {
    for (const [key, value] of Object.entries(sel.matchLabels ?? {})) {
      reqs.push(newRequirement(key, '=', [value]));
    }
    for (const expr of sel.matchExpressions ?? []) {
      const op = SPEC_OPERATORS[expr.operator];
      if (op === undefined) {
        throw new SelectorSyntaxError(`"${expr.operator}" is not a valid label selector operator`);
      }
      reqs.push(newRequirement(expr.key, op, [...(expr.values ?? [])]));
    }
  } catch (err) {
    if (err instanceof SelectorSyntaxError) throw ApiError.badRequest(err.message);
    throw err;
  }
  return reqs.sort(byKey);
}

function byKey(a: LabelSelectorRequirement, b: LabelSelectorRequirement): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

const SPEC_OPERATORS: Record<string, SelectorOperator> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/** True when every requirement holds for `labels` (missing labels = {}). */
export function matchesLabels(
  reqs: readonly LabelSelectorRequirement[],
  labels: Readonly<Record<string, string>> | null | undefined,
): boolean {
  const ls = labels ?? {};
  return reqs.every((r) => matchesRequirement(r, ls));
}

function matchesRequirement(r: LabelSelectorRequirement, ls: Readonly<Record<string, string>>) {
  const has = Object.hasOwn(ls, r.key);
  const value = has ? ls[r.key] : undefined;
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(value as string);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(value as string);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !INTEGER.test(value as string) || r.values.length !== 1) return false;
      const [lv, rv] = [BigInt(value as string), BigInt(r.values[0] as string)];
      return r.operator === 'gt' ? lv > rv : lv < rv;
    }
  }
}

const INTEGER = /^[+-]?\d+$/;

/** True for the selector labelSelectorFromSpec(null) returns: it matches nothing. */
export function selectsNothing(reqs: readonly LabelSelectorRequirement[]): boolean {
  // `in` over no values holds for no label set (`notin` over none holds for all)
  return reqs.some((r) => r.operator === 'in' && r.values.length === 0);
}

/**
 * The string form Kubernetes prints (Requirement.String joined by ','):
 * `a=b,c in (x,y),!d`. Values of in/notin are sorted. A selector that selects
 * nothing prints as '' (as labels.Nothing() does).
 */
export function formatLabelSelector(reqs: readonly LabelSelectorRequirement[]): string {
  if (selectsNothing(reqs)) return '';
  return reqs.map(formatRequirement).join(',');
}

function formatRequirement(r: LabelSelectorRequirement): string {
  const values = r.values.length === 1 ? r.values : [...r.values].sort();
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${values.join(',')})`;
    case 'gt':
      return `${r.key}>${values.join(',')}`;
    case 'lt':
      return `${r.key}<${values.join(',')}`;
    default:
      return `${r.key}${r.operator}${values.join(',')}`;
  }
}

// ---- label selector lexer and parser (a port of labels/selector.go) ----

class SelectorSyntaxError extends Error {}

type Tok = 'eos' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';

const TOKENS: Record<string, Tok> = Object.fromEntries(
  ([')', ',', '!', '==', '=', '>', 'in', '<', '!=', 'notin', '('] as const).map((t) => [t, t]),
);

interface Item {
  tok: Tok;
  lit: string;
}

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string) => '=!(),><'.includes(c);

function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isSpace(s[pos] as string)) pos++;
    if (pos >= s.length) {
      items.push({ tok: 'eos', lit: '' });
      return items;
    }
    const start = pos;
    if (isSpecial(s[pos] as string)) {
      // the longest run of special characters that still forms a known token
      let end = pos + 1;
      while (end < s.length && TOKENS[s.slice(start, end + 1)] !== undefined) end++;
      pos = end;
      items.push({ tok: TOKENS[s.slice(start, end)] as Tok, lit: s.slice(start, end) });
    } else {
      while (pos < s.length && !isSpecial(s[pos] as string) && !isSpace(s[pos] as string)) pos++;
      const lit = s.slice(start, pos);
      const tok = TOKENS[lit];
      items.push({ tok: tok === 'in' || tok === 'notin' ? tok : 'id', lit });
    }
  }
}

const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

function parseTokens(items: Item[]): LabelSelectorRequirement[] {
  let position = 0;
  // In the Values context the keywords `in`/`notin` are plain identifiers.
  const look = (values: boolean): Item => {
    const it = items[Math.min(position, items.length - 1)] as Item;
    return values && (it.tok === 'in' || it.tok === 'notin') ? { tok: 'id', lit: it.lit } : it;
  };
  const next = (values: boolean): Item => {
    const it = look(values);
    position++;
    return it;
  };
  const fail = (msg: string): never => {
    throw new SelectorSyntaxError(msg);
  };

  const parseValues = (): string[] => {
    const open = next(true);
    if (open.tok !== '(') fail(`found '${open.lit}' expected: '('`);
    const first = look(true);
    if (first.tok === ')') {
      next(true);
      return [''];
    }
    if (first.tok !== 'id' && first.tok !== ',') {
      fail(`found '${first.lit}', expected: ',', ')' or identifier`);
    }
    const set = new Set<string>();
    for (;;) {
      const it = next(true);
      if (it.tok === 'id') {
        set.add(it.lit);
        const after = look(true);
        if (after.tok === ',') continue;
        if (after.tok === ')') break;
        fail(`found '${after.lit}', expected: ',' or ')'`);
      } else if (it.tok === ',') {
        if (set.size === 0) set.add(''); // "(,"
        const after = look(true);
        if (after.tok === ')') {
          set.add(''); // ",)"
          break;
        }
        if (after.tok === ',') {
          next(true);
          set.add(''); // ",,"
        }
      } else {
        fail(`found '${it.lit}', expected: ',', or identifier`);
      }
    }
    if (next(true).tok !== ')') fail(`found '${first.lit}', expected: ')'`);
    return [...set];
  };

  const parseRequirement = (): LabelSelectorRequirement => {
    let it = next(true);
    let unary: SelectorOperator | undefined;
    if (it.tok === '!') {
      unary = '!';
      it = next(true);
    }
    if (it.tok !== 'id') fail(`found '${it.lit}', expected: identifier`);
    const key = it.lit;
    const keyErrs = validateLabelKey(key);
    if (keyErrs.length > 0)
      fail(`<nil>: Invalid value: ${JSON.stringify(key)}: ${keyErrs.join('; ')}`);
    const after = look(true).tok;
    if (after === 'eos' || after === ',') return newRequirement(key, unary ?? 'exists', []);
    if (unary !== undefined) return newRequirement(key, unary, []);
    const opItem = next(false);
    const op = BINARY[opItem.tok];
    if (op === undefined) return fail(`found '${opItem.lit}', expected: ${BINARY_OPERATORS}`);
    if (op === 'in' || op === 'notin') return newRequirement(key, op, parseValues().sort());
    const v = look(true);
    if (v.tok === 'eos' || v.tok === ',') return newRequirement(key, op, ['']);
    const value = next(true);
    if (value.tok !== 'id') fail(`found '${value.lit}', expected: identifier`);
    return newRequirement(key, op, [value.lit]);
  };

  const reqs: LabelSelectorRequirement[] = [];
  for (;;) {
    const it = look(true);
    if (it.tok === 'eos') return reqs;
    if (it.tok !== 'id' && it.tok !== '!') {
      fail(`found '${it.lit}', expected: !, identifier, or 'end of string'`);
    }
    try {
      reqs.push(parseRequirement());
    } catch (err) {
      if (err instanceof SelectorSyntaxError) {
        throw new SelectorSyntaxError(`unable to parse requirement: ${err.message}`);
      }
      throw err;
    }
    const sep = next(true);
    if (sep.tok === 'eos') return reqs;
    if (sep.tok !== ',') fail(`found '${sep.lit}', expected: ',' or 'end of string'`);
    const after = look(true);
    if (after.tok !== 'id' && after.tok !== '!') {
      fail(`found '${after.lit}', expected: identifier after ','`);
    }
  }
}

const BINARY: Partial<Record<Tok, SelectorOperator>> = {
  in: 'in',
  '=': '=',
  '==': '==',
  '>': 'gt',
  '<': 'lt',
  notin: 'notin',
  '!=': '!=',
};

/** labels.NewRequirement: validates key, value count and values; errors worded as field errors. */
function newRequirement(
  key: string,
  operator: SelectorOperator,
  values: string[],
): LabelSelectorRequirement {
  const errs: string[] = [];
  const keyErrs = validateLabelKey(key);
  if (keyErrs.length > 0) errs.push(invalid('key', key, keyErrs.join('; ')));
  const count = values.length;
  if ((operator === 'in' || operator === 'notin') && count === 0) {
    errs.push(invalid('values', '[]', "for 'in', 'notin' operators, values set can't be empty"));
  } else if ((operator === '=' || operator === '==' || operator === '!=') && count !== 1) {
    errs.push(invalid('values', '[]', 'exact-match compatibility requires one single value'));
  } else if ((operator === 'exists' || operator === '!') && count !== 0) {
    errs.push(invalid('values', '[]', 'values set must be empty for exists and does not exist'));
  } else if (operator === 'gt' || operator === 'lt') {
    if (count !== 1) {
      errs.push(invalid('values', '[]', "for 'Gt', 'Lt' operators, exactly one value is required"));
    }
    values.forEach((v, i) => {
      if (!INTEGER.test(v)) {
        errs.push(
          invalid(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"),
        );
      }
    });
  }
  values.forEach((v, i) => {
    const valueErrs = validateLabelValue(v);
    if (valueErrs.length > 0) errs.push(invalid(`values[${i}][${key}]`, v, valueErrs.join('; ')));
  });
  if (errs.length === 1) throw new SelectorSyntaxError(errs[0]);
  if (errs.length > 1) throw new SelectorSyntaxError(`[${errs.join(', ')}]`);
  return { key, operator, values };
}

function invalid(path: string, value: string, detail: string): string {
  const shown = value === '[]' ? '[]string{}' : JSON.stringify(value);
  return `${path}: Invalid value: ${shown}: ${detail}`;
}

// ---- field selectors (a port of fields/selector.go) ----

/** One field requirement; `==` parses to '='. */
export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

/**
 * Parses a field selector (`metadata.name=web,status.phase!=Running`; values
 * may escape `\,` `\=` `\\`). With `r`, each field must be one the resource
 * supports, else 400 worded as Kubernetes does (`field label not supported:
 * spec.foo`). Terms come back sorted, as Kubernetes sorts them.
 */
export function parseFieldSelector(s: string, r?: ResourceInfo): FieldRequirement[] {
  const reqs: FieldRequirement[] = [];
  for (const part of splitTerms(s).sort()) {
    if (part === '') continue;
    const m = /!=|==|=/.exec(part);
    if (m === null)
      throw ApiError.badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    const field = part.slice(0, m.index);
    const value = unescapeValue(part.slice(m.index + m[0].length));
    reqs.push({
      field: r ? convertFieldLabel(r, field) : field,
      operator: m[0] === '!=' ? '!=' : '=',
      value,
    });
  }
  return reqs;
}

/** True when every requirement holds for `obj` (a missing field reads as ''). */
export function matchesFields(reqs: readonly FieldRequirement[], obj: KubeObject): boolean {
  return reqs.every((q) => (fieldValue(obj, q.field) === q.value) === (q.operator === '='));
}

/** The string form: `a=b,c!=d` with values escaped (fields.Selector.String()). */
export function formatFieldSelector(reqs: readonly FieldRequirement[]): string {
  const esc = (v: string) => v.replace(/[\\,=]/g, (c) => `\\${c}`);
  return reqs.map((q) => `${q.field}${q.operator}${esc(q.value)}`).join(',');
}

/**
 * The value of a selectable field as Kubernetes' SelectableFields compute it:
 * strings as is, numbers and booleans in decimal/`true`/`false`, absent as ''.
 * Any dotted path into the object works; a few kind-specific labels read where
 * Kubernetes reads them (Event `source`, Job `status.successful`, defaults of
 * `spec.hostNetwork`, `spec.unschedulable`, `status.replicas`).
 */
export function fieldValue(obj: KubeObject, path: string): string {
  const kind = obj.kind;
  const at = (p: string) => leaf(obj, p);
  if (kind === 'Event' && path === 'source')
    return at('source.component') || at('reportingComponent');
  if (kind === 'Job' && path === 'status.successful') return at('status.succeeded') || '0';
  if (kind === 'Pod' && path === 'spec.hostNetwork') return at(path) || 'false';
  if (kind === 'Pod' && path === 'status.podIP') return at('status.podIPs.0.ip') || at(path);
  if (kind === 'Node' && path === 'spec.unschedulable') return at(path) || 'false';
  if (kind === 'ReplicaSet' && path === 'status.replicas') return at(path) || '0';
  return at(path);
}

function leaf(obj: object, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, part)) return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  if (typeof cur === 'string') return cur;
  if (typeof cur === 'number' || typeof cur === 'boolean') return String(cur);
  return '';
}

const META_FIELDS = ['metadata.name', 'metadata.namespace'];

/** Field labels per kind beyond the defaults (AddFieldLabelConversionFunc in Kubernetes). */
const FIELD_LABELS: Record<string, { labels: string[]; reject: (l: string) => string }> = {
  '/Pod': core([
    ...META_FIELDS,
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.podIPs',
    'status.nominatedNodeName',
  ]),
  '/Node': core(['metadata.name', 'spec.unschedulable']),
  '/Namespace': core(['status.phase', 'metadata.name']),
  '/Secret': core(['type', ...META_FIELDS]),
  '/Service': core([...META_FIELDS, 'spec.clusterIP', 'spec.type']),
  '/Event': core([
    ...['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'].map(
      (f) => `involvedObject.${f}`,
    ),
    ...['reason', 'reportingComponent', 'source', 'type'],
    ...META_FIELDS,
  ]),
  'batch/Job': {
    labels: [...META_FIELDS, 'status.successful'],
    reject: (l) => `field label "${l}" not supported for batchv1.Job`,
  },
};

function core(labels: string[]) {
  return { labels, reject: (l: string) => `field label not supported: ${l}` };
}

/** The field labels a resource accepts in a field selector. */
export function supportedFieldLabels(r: Pick<ResourceInfo, 'group' | 'kind'>): string[] {
  return [...(FIELD_LABELS[`${r.group}/${r.kind}`]?.labels ?? META_FIELDS)];
}

function convertFieldLabel(r: ResourceInfo, label: string): string {
  // old v1 clients send spec.host for pods
  if (r.group === '' && r.kind === 'Pod' && label === 'spec.host') return 'spec.nodeName';
  const rules = FIELD_LABELS[`${r.group}/${r.kind}`];
  if (rules === undefined) {
    if (META_FIELDS.includes(label)) return label;
    throw ApiError.badRequest(
      `"${label}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
    );
  }
  if (!rules.labels.includes(label)) throw ApiError.badRequest(rules.reject(label));
  return label;
}

/** Splits on unescaped commas, keeping escapes in the terms. */
function splitTerms(s: string): string[] {
  if (s === '') return [];
  const terms: string[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

function unescapeValue(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\') {
      const n = s[i + 1];
      if (n === undefined)
        throw ApiError.badRequest('invalid field selector: invalid escape sequence: \\');
      if (n !== '\\' && n !== ',' && n !== '=') {
        throw ApiError.badRequest(`invalid field selector: invalid escape sequence: \\${n}`);
      }
      out += n;
      i++;
    } else if (c === ',' || c === '=') {
      // Go prints the rune as a number here ("%v" of a rune)
      throw ApiError.badRequest(
        `invalid field selector: unescaped character in value: ${c.charCodeAt(0)}`,
      );
    } else out += c;
  }
  return out;
}
