/**
 * meta/v1 schemas shared by every kind: ObjectMeta, OwnerReference,
 * LabelSelector, ListMeta, Status, DeleteOptions, WatchEvent, Table, and
 * the builders for top-level kinds and their lists.
 */
import Type from 'typebox';
import type { TObject, TProperties, TSchema } from 'typebox';
import {
  META,
  atomicList,
  bool,
  freeForm,
  int32,
  int64,
  mergeList,
  named,
  setList,
  str,
  strMap,
  time,
} from './helpers.ts';

export const OwnerReference = named(
  `${META}OwnerReference`,
  'OwnerReference contains enough information to let you identify an owning object.',
  {
    apiVersion: Type.String(),
    kind: Type.String(),
    name: Type.String(),
    uid: Type.String(),
    controller: bool(),
    blockOwnerDeletion: bool(),
  },
);

export const ManagedFieldsEntry = named(
  `${META}ManagedFieldsEntry`,
  'ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.',
  {
    manager: str(),
    operation: str(),
    apiVersion: str(),
    time: time(),
    fieldsType: str(),
    fieldsV1: Type.Optional(
      Type.Unsafe<Record<string, unknown>>({
        ...freeForm('FieldsV1 stores a set of fields in a data structure like a Trie.'),
        $id: `${META}FieldsV1`,
      }),
    ),
    subresource: str(),
  },
);

export const ObjectMeta = named(
  `${META}ObjectMeta`,
  'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
  {
    name: str('Name must be unique within a namespace.'),
    generateName: str('An optional prefix used by the server to generate a unique name.'),
    namespace: str('Namespace defines the space within which each name must be unique.'),
    selfLink: str(),
    uid: str('UID is the unique in time and space value for this object. Set by the server.'),
    resourceVersion: str('An opaque value that represents the internal version of this object.'),
    generation: int64(),
    creationTimestamp: time(),
    deletionTimestamp: time(),
    deletionGracePeriodSeconds: int64(),
    labels: strMap(),
    annotations: strMap(),
    ownerReferences: Type.Optional(mergeList(OwnerReference, 'uid', { mapKeys: ['uid'] })),
    finalizers: Type.Optional(setList(Type.String())),
    managedFields: Type.Optional(atomicList(ManagedFieldsEntry)),
  },
);

export const LabelSelectorRequirement = named(
  `${META}LabelSelectorRequirement`,
  'A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values.',
  { key: Type.String(), operator: Type.String(), values: Type.Optional(atomicList(Type.String())) },
);

export const LabelSelector = Type.Object(
  {
    matchExpressions: Type.Optional(atomicList(LabelSelectorRequirement)),
    matchLabels: strMap(),
  },
  {
    $id: `${META}LabelSelector`,
    description:
      'A label selector is a label query over a set of resources. An empty label selector matches all objects. A null label selector matches no objects.',
    'x-kubernetes-map-type': 'atomic',
  },
);

export const Condition = named(
  `${META}Condition`,
  'Condition contains details for one aspect of the current state of this API Resource.',
  {
    type: Type.String(),
    status: Type.String(),
    observedGeneration: int64(),
    lastTransitionTime: time(),
    reason: Type.String(),
    message: Type.String(),
  },
);

export const ListMeta = named(
  `${META}ListMeta`,
  'ListMeta describes metadata that synthetic resources must have, including lists and various status objects.',
  {
    selfLink: str(),
    resourceVersion: str(),
    continue: str(),
    remainingItemCount: int64(),
  },
);

export const StatusCause = named(
  `${META}StatusCause`,
  'StatusCause provides more information about an api.Status failure.',
  { reason: str(), message: str(), field: str() },
);

export const StatusDetails = named(
  `${META}StatusDetails`,
  'StatusDetails is a set of additional properties that MAY be set by the server to provide additional information about a response.',
  {
    name: str(),
    group: str(),
    kind: str(),
    uid: str(),
    causes: Type.Optional(atomicList(StatusCause)),
    retryAfterSeconds: int32(),
  },
);

export const Status = Type.Object(
  {
    apiVersion: str(),
    kind: str(),
    metadata: Type.Optional(ListMeta),
    status: str(),
    message: str(),
    reason: str(),
    details: Type.Optional(StatusDetails),
    code: int32(),
  },
  {
    $id: `${META}Status`,
    description: "Status is a return value for calls that don't return other objects.",
    'x-kubernetes-group-version-kind': [{ group: '', kind: 'Status', version: 'v1' }],
  },
);

export const Preconditions = named(
  `${META}Preconditions`,
  'Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.',
  { uid: str(), resourceVersion: str() },
);

export const DeleteOptions = Type.Object(
  {
    apiVersion: str(),
    kind: str(),
    gracePeriodSeconds: int64(),
    preconditions: Type.Optional(Preconditions),
    orphanDependents: bool(),
    propagationPolicy: str(),
    dryRun: Type.Optional(atomicList(Type.String())),
    ignoreStoreReadErrorWithClusterBreakingPotential: bool(),
  },
  {
    $id: `${META}DeleteOptions`,
    description: 'DeleteOptions may be provided when deleting an API object.',
    'x-kubernetes-group-version-kind': [{ group: '', kind: 'DeleteOptions', version: 'v1' }],
  },
);

export const WatchEvent = Type.Object(
  {
    type: Type.String(),
    object: freeForm('Object is the object that changed (a RawExtension).'),
  },
  {
    $id: `${META}WatchEvent`,
    description: 'Event represents a single event to a watched resource.',
    'x-kubernetes-group-version-kind': [{ group: '', kind: 'WatchEvent', version: 'v1' }],
  },
);

export const TableColumnDefinition = named(
  `${META}TableColumnDefinition`,
  'TableColumnDefinition contains information about a column returned in the Table.',
  {
    name: Type.String(),
    type: Type.String(),
    format: Type.String(),
    description: Type.String(),
    priority: Type.Integer({ format: 'int32' }),
  },
);

export const TableRow = named(`${META}TableRow`, 'TableRow is an individual row in a table.', {
  cells: Type.Array(Type.Unknown()),
  conditions: Type.Optional(
    Type.Array(
      Type.Object({
        type: Type.String(),
        status: Type.String(),
        reason: str(),
        message: str(),
      }),
    ),
  ),
  object: Type.Optional(freeForm('The object this row describes, if requested (a RawExtension).')),
});

export const Table = Type.Object(
  {
    apiVersion: Type.String(),
    kind: Type.String(),
    metadata: ListMeta,
    columnDefinitions: Type.Array(TableColumnDefinition),
    rows: Type.Array(TableRow),
  },
  {
    $id: `${META}Table`,
    description: 'Table is a tabular representation of a set of API resources.',
    'x-kubernetes-group-version-kind': [{ group: 'meta.k8s.io', kind: 'Table', version: 'v1' }],
  },
);

/** The request body schema of PATCH operations (its shape depends on the patch type). */
export const Patch = Type.Unsafe<unknown>({
  $id: `${META}Patch`,
  description:
    'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.',
  type: 'object',
});

/** Group, version and kind of a top-level schema (the `x-kubernetes-group-version-kind` value). */
export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

/**
 * A top-level kind: apiVersion, kind, metadata plus `props`, with `$id` and
 * the `x-kubernetes-group-version-kind` extension kubectl looks for.
 */
export function topLevel<P extends TProperties>(
  id: string,
  gvk: Gvk,
  description: string,
  props: P,
) {
  return Type.Object(
    {
      apiVersion: Type.String({
        description: 'APIVersion defines the versioned schema of this representation of an object.',
      }),
      kind: Type.String({
        description:
          'Kind is a string value representing the REST resource this object represents.',
      }),
      metadata: ObjectMeta,
      ...props,
    },
    {
      $id: id,
      description,
      'x-kubernetes-group-version-kind': [gvk],
    },
  );
}

/** The list kind of a top-level schema (`PodList` ...), for OpenAPI. */
export function listOf(item: TObject, itemId: string, gvk: Gvk): TSchema {
  return Type.Object(
    {
      apiVersion: Type.Optional(Type.String()),
      items: Type.Array(item),
      kind: Type.Optional(Type.String()),
      metadata: Type.Optional(ListMeta),
    },
    {
      $id: `${itemId}List`,
      description: `${gvk.kind} is a list of ${gvk.kind.replace(/List$/, '')} objects.`,
      'x-kubernetes-group-version-kind': [gvk],
    },
  );
}
