/**
 * Tables of the smaller core kinds: namespaces (STATUS), events (LAST SEEN
 * TYPE REASON OBJECT MESSAGE, NAME last and wide), configmaps and secrets
 * (DATA counts), serviceaccounts (SECRETS) and leases (HOLDER).
 */
import type {
  ConfigMap,
  Event,
  Lease,
  Namespace,
  Secret,
  ServiceAccount,
} from '../../api/types.ts';
import { AGE_COLUMN, NAME_COLUMN, column, since, type Printer } from './format.ts';

export const namespacePrinter: Printer = {
  columns: [NAME_COLUMN, column('Status', 'string', 'The status of the namespace'), AGE_COLUMN],
  row(obj, now) {
    const ns = obj as Namespace;
    return {
      cells: [
        ns.metadata?.name ?? '',
        ns.status?.phase ?? '',
        since(ns.metadata?.creationTimestamp, now),
      ],
    };
  },
};

export const eventPrinter: Printer = {
  columns: [
    column(
      'Last Seen',
      'string',
      'The time at which the most recent occurrence of this event was recorded.',
    ),
    column(
      'Type',
      'string',
      'Type of this event (Normal, Warning), new types could be added in the future',
    ),
    column(
      'Reason',
      'string',
      "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
    ),
    column('Object', 'string', 'The object that this event is about.'),
    column(
      'Subobject',
      'string',
      'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].',
      { priority: 1 },
    ),
    column(
      'Source',
      'string',
      'The component reporting this event. Should be a short machine understandable string.',
      { priority: 1 },
    ),
    column('Message', 'string', 'A human-readable description of the status of this operation.'),
    column(
      'First Seen',
      'string',
      'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)',
      { priority: 1 },
    ),
    column('Count', 'string', 'The number of times this event has occurred.', { priority: 1 }),
    { ...NAME_COLUMN, priority: 1 },
  ],
  row(obj, now) {
    const ev = obj as Event;
    const first = ev.firstTimestamp ? since(ev.firstTimestamp, now) : since(ev.eventTime, now);
    let last = ev.lastTimestamp ? since(ev.lastTimestamp, now) : first;
    let count = ev.count ?? 0;
    if (ev.series) {
      last = since(ev.series.lastObservedTime, now);
      count = ev.series.count ?? 0;
    } else if (count === 0) {
      count = 1; // singleton events of the events.k8s.io API carry no count
    }
    const kind = (ev.involvedObject?.kind ?? '').toLowerCase();
    const target = ev.involvedObject?.name ? `${kind}/${ev.involvedObject.name}` : kind;
    const component = ev.source?.component || ev.reportingComponent || '';
    const host = ev.source?.host || ev.reportingInstance || '';
    return {
      cells: [
        last,
        ev.type ?? '',
        ev.reason ?? '',
        target,
        ev.involvedObject?.fieldPath ?? '',
        host ? `${component}, ${host}` : component,
        (ev.message ?? '').trim(),
        first,
        count,
        ev.metadata?.name ?? '',
      ],
    };
  },
};

export const configMapPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Data', 'string', 'Data contains the configuration data.'),
    AGE_COLUMN,
  ],
  row(obj, now) {
    const cm = obj as ConfigMap;
    const n = Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length;
    return { cells: [cm.metadata?.name ?? '', n, since(cm.metadata?.creationTimestamp, now)] };
  },
};

export const secretPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Type', 'string', 'Used to facilitate programmatic handling of secret data.'),
    column('Data', 'string', 'Data contains the secret data.'),
    AGE_COLUMN,
  ],
  row(obj, now) {
    const s = obj as Secret;
    return {
      cells: [
        s.metadata?.name ?? '',
        s.type ?? '',
        Object.keys(s.data ?? {}).length,
        since(s.metadata?.creationTimestamp, now),
      ],
    };
  },
};

export const serviceAccountPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column(
      'Secrets',
      'string',
      'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.',
    ),
    AGE_COLUMN,
  ],
  row(obj, now) {
    const sa = obj as ServiceAccount;
    return {
      cells: [
        sa.metadata?.name ?? '',
        (sa.secrets ?? []).length,
        since(sa.metadata?.creationTimestamp, now),
      ],
    };
  },
};

export const leasePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column(
      'Holder',
      'string',
      'holderIdentity contains the identity of the holder of a current lease.',
    ),
    AGE_COLUMN,
  ],
  row(obj, now) {
    const l = obj as Lease;
    return {
      cells: [
        l.metadata?.name ?? '',
        l.spec?.holderIdentity ?? '',
        since(l.metadata?.creationTimestamp, now),
      ],
    };
  },
};
