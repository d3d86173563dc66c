/**
 * Table responses (meta.k8s.io/v1 Table) for `kubectl get`: the columns and
 * cells Kubernetes' own printers produce for each built-in kind, and the
 * default Name / Created At table for anything else.
 *
 * @example
 *   // Accept: application/json;as=Table;v=v1;g=meta.k8s.io
 *   const table = toTable(r, items, { now: new Date(), includeObject: 'Metadata' });
 *   table.metadata = { resourceVersion };
 */
import type { ResourceInfo } from '../../api/resources.ts';
import type { KubeObject, Table, TableRow } from '../../api/types.ts';
import { NAME_COLUMN, column, type PrintedRow, type Printer } from './format.ts';
import {
  configMapPrinter,
  eventPrinter,
  leasePrinter,
  namespacePrinter,
  secretPrinter,
  serviceAccountPrinter,
} from './misc.ts';
import { nodePrinter } from './nodes.ts';
import { podPrinter } from './pods.ts';
import { endpointsPrinter, servicePrinter } from './services.ts';
import { daemonSetPrinter, deploymentPrinter, jobPrinter, replicaSetPrinter } from './workloads.ts';

/** What each row carries in `object` (the includeObject query parameter). */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

const PRINTERS: Record<string, Printer> = {
  '/pods': podPrinter,
  '/services': servicePrinter,
  '/endpoints': endpointsPrinter,
  '/nodes': nodePrinter,
  '/namespaces': namespacePrinter,
  '/events': eventPrinter,
  '/configmaps': configMapPrinter,
  '/secrets': secretPrinter,
  '/serviceaccounts': serviceAccountPrinter,
  'apps/deployments': deploymentPrinter,
  'apps/replicasets': replicaSetPrinter,
  'apps/daemonsets': daemonSetPrinter,
  'batch/jobs': jobPrinter,
  'coordination.k8s.io/leases': leasePrinter,
};

/** The default table convertor of the Kubernetes API server: Name and Created At. */
const DEFAULT_PRINTER: Printer = {
  columns: [
    NAME_COLUMN,
    column(
      'Created At',
      'date',
      'CreationTimestamp is a timestamp representing the server time when this object was created.',
    ),
  ],
  row(obj): PrintedRow {
    const meta = (obj as KubeObject).metadata;
    const created = meta?.creationTimestamp ? new Date(meta.creationTimestamp) : undefined;
    return {
      cells: [
        meta?.name ?? '',
        created && !Number.isNaN(created.getTime())
          ? created.toISOString().replace(/\.\d{3}Z$/, 'Z')
          : '0001-01-01T00:00:00Z',
      ],
    };
  },
};

/** The column definitions of a resource's table (all priorities). */
export function tableColumns(
  r: Pick<ResourceInfo, 'group' | 'plural'>,
): Table['columnDefinitions'] {
  return printerFor(r).columns.map((c) => ({ ...c }));
}

function printerFor(r: Pick<ResourceInfo, 'group' | 'plural'>): Printer {
  return PRINTERS[`${r.group}/${r.plural}`] ?? DEFAULT_PRINTER;
}

/**
 * A meta.k8s.io Table of `objects`, one row each in the given order.
 * Ages are computed against `opts.now`. Each row's `object` is, per
 * `includeObject` (default 'Metadata'), a PartialObjectMetadata, the whole
 * object, or absent. `opts.version` picks meta.k8s.io/v1 (default) or the
 * older v1beta1 a client may ask for. `metadata` (resourceVersion,
 * continue) is left for the caller to fill in.
 */
export function toTable(
  r: ResourceInfo,
  objects: readonly KubeObject[],
  opts: { now: Date; includeObject?: IncludeObject; version?: 'v1' | 'v1beta1' },
): Table {
  const printer = printerFor(r);
  const include = opts.includeObject ?? 'Metadata';
  const apiVersion = `meta.k8s.io/${opts.version ?? 'v1'}`;
  return {
    kind: 'Table',
    apiVersion,
    metadata: {},
    columnDefinitions: printer.columns.map((c) => ({ ...c })),
    rows: objects.map((obj) => tableRow(printer.row(obj, opts.now), obj, include, apiVersion)),
  };
}

function tableRow(
  printed: PrintedRow,
  obj: KubeObject,
  include: IncludeObject,
  apiVersion: string,
): TableRow {
  const row: TableRow = { cells: printed.cells };
  if (printed.conditions) row.conditions = printed.conditions.map((c) => ({ ...c }));
  if (include === 'Object') row.object = obj as unknown as Record<string, unknown>;
  else if (include === 'Metadata') {
    row.object = {
      kind: 'PartialObjectMetadata',
      apiVersion,
      metadata: obj.metadata,
    };
  }
  return row;
}

export { humanDuration } from './format.ts';
