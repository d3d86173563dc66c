/**
 * Cell formats shared by the table printers, as Kubernetes' printers
 * (pkg/printers/internalversion) and apimachinery's duration package write
 * them: ages ("5s", "3m2s", "2d3h"), label sets, selectors, container lists.
 */
import type { TableColumnDefinition } from '../../api/types.ts';
import { formatLabelSelector, labelSelectorFromSpec } from '../../api/selectors.ts';
import type { LabelSelector } from '../../api/types.ts';

/** One row as a printer builds it. */
export interface PrintedRow {
  cells: unknown[];
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
}

/** The columns and row function of one kind (a TableHandler in Kubernetes). */
export interface Printer {
  columns: TableColumnDefinition[];
  row(obj: unknown, now: Date): PrintedRow;
}

/** A column definition; every field is present on the wire, as Go marshals it. */
export function column(
  name: string,
  type: string,
  description: string,
  opts: { priority?: number; format?: string } = {},
): TableColumnDefinition {
  return { name, type, format: opts.format ?? '', description, priority: opts.priority ?? 0 };
}

/** The NAME column every built-in table starts with. */
export const NAME_COLUMN = column(
  'Name',
  'string',
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  { format: 'name' },
);

/** The AGE column (from metadata.creationTimestamp). */
export const AGE_COLUMN = column(
  'Age',
  'string',
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
);

/** The wide CONTAINERS / IMAGES columns of workload tables. */
export const CONTAINERS_COLUMN = column(
  'Containers',
  'string',
  'Names of each container in the template.',
  { priority: 1 },
);
export const IMAGES_COLUMN = column(
  'Images',
  'string',
  'Images referenced by each container in the template.',
  { priority: 1 },
);

/**
 * duration.HumanDuration: ~2-3 significant figures ("45s", "3m2s", "15m",
 * "5h3m", "30h", "3d4h", "400d", "2y40d", "9y"); "<invalid>" for a time
 * more than 2 s in the future.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / 3_600_000);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    const y = Math.trunc(hours / 24 / 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** translateTimestampSince: the age of an RFC 3339 timestamp at `now`, "<unknown>" when unset. */
export function since(timestamp: string | null | undefined, now: Date): string {
  if (!timestamp) return '<unknown>';
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) return '<unknown>';
  return humanDuration(now.getTime() - t);
}

/** labels.FormatLabels: "a=b,c=d" in key order, "<none>" when empty. */
export function formatLabels(m: Readonly<Record<string, string>> | null | undefined): string {
  const keys = Object.keys(m ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${(m as Record<string, string>)[k]}`).join(',');
}

/**
 * The selector string of a metav1.LabelSelector; `empty` is what an
 * everything/nothing selector prints as ("<none>" for metav1.FormatLabelSelector,
 * "" where a printer uses selector.String()), "<error>" for an invalid one.
 */
export function formatSelectorSpec(
  sel: LabelSelector | null | undefined,
  empty: string,
  invalid = '<error>',
): string {
  try {
    return formatLabelSelector(labelSelectorFromSpec(sel)) || empty;
  } catch {
    return invalid;
  }
}

/** layoutContainerCells: container names and images, comma-separated. */
export function containerCells(
  containers: readonly { name?: string; image?: string }[] | null | undefined,
): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name ?? '').join(','), list.map((c) => c.image ?? '').join(',')];
}

/** The object's metadata.name ('' when missing). */
export function nameOf(obj: unknown): string {
  return ((obj as { metadata?: { name?: string } }).metadata?.name ?? '') as string;
}

/** The object's metadata.creationTimestamp. */
export function createdOf(obj: unknown): string | undefined {
  return (obj as { metadata?: { creationTimestamp?: string } }).metadata?.creationTimestamp;
}
