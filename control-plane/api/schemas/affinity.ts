/** core/v1 scheduling constraints: affinity, tolerations, topology spread. */
import Type from 'typebox';
import { CORE, atomicList, int32, int64, named, str } from './helpers.ts';
import { LabelSelector } from './meta.ts';

export const NodeSelectorRequirement = named(
  `${CORE}NodeSelectorRequirement`,
  'A node selector requirement is a selector that contains values, a key, and an operator that relates the key and values.',
  { key: Type.String(), operator: Type.String(), values: Type.Optional(atomicList(Type.String())) },
);

export const NodeSelectorTerm = Type.Object(
  {
    matchExpressions: Type.Optional(atomicList(NodeSelectorRequirement)),
    matchFields: Type.Optional(atomicList(NodeSelectorRequirement)),
  },
  {
    $id: `${CORE}NodeSelectorTerm`,
    description:
      'A null or empty node selector term matches no objects. The requirements of them are ANDed.',
    'x-kubernetes-map-type': 'atomic',
  },
);

export const NodeSelector = Type.Object(
  { nodeSelectorTerms: atomicList(NodeSelectorTerm) },
  {
    $id: `${CORE}NodeSelector`,
    description:
      'A node selector represents the union of the results of one or more label queries over a set of nodes.',
    'x-kubernetes-map-type': 'atomic',
  },
);

export const NodeAffinity = named(
  `${CORE}NodeAffinity`,
  'Node affinity is a group of node affinity scheduling rules.',
  {
    requiredDuringSchedulingIgnoredDuringExecution: Type.Optional(NodeSelector),
    preferredDuringSchedulingIgnoredDuringExecution: Type.Optional(
      atomicList(
        named(
          `${CORE}PreferredSchedulingTerm`,
          'An empty preferred scheduling term matches all objects with implicit weight 0.',
          {
            weight: Type.Integer({ format: 'int32' }),
            preference: NodeSelectorTerm,
          },
        ),
      ),
    ),
  },
);

export const PodAffinityTerm = named(
  `${CORE}PodAffinityTerm`,
  'Defines a set of pods that this pod should be co-located (affinity) or not co-located (anti-affinity) with.',
  {
    labelSelector: Type.Optional(LabelSelector),
    namespaces: Type.Optional(atomicList(Type.String())),
    topologyKey: Type.String(),
    namespaceSelector: Type.Optional(LabelSelector),
    matchLabelKeys: Type.Optional(atomicList(Type.String())),
    mismatchLabelKeys: Type.Optional(atomicList(Type.String())),
  },
);

export const WeightedPodAffinityTerm = named(
  `${CORE}WeightedPodAffinityTerm`,
  'The weights of all of the matched WeightedPodAffinityTerm fields are added per-node to find the most preferred node(s)',
  { weight: Type.Integer({ format: 'int32' }), podAffinityTerm: PodAffinityTerm },
);

const podAffinityProps = {
  requiredDuringSchedulingIgnoredDuringExecution: Type.Optional(atomicList(PodAffinityTerm)),
  preferredDuringSchedulingIgnoredDuringExecution: Type.Optional(
    atomicList(WeightedPodAffinityTerm),
  ),
};

export const Affinity = named(
  `${CORE}Affinity`,
  'Affinity is a group of affinity scheduling rules.',
  {
    nodeAffinity: Type.Optional(NodeAffinity),
    podAffinity: Type.Optional(
      named(
        `${CORE}PodAffinity`,
        'Pod affinity is a group of inter pod affinity scheduling rules.',
        podAffinityProps,
      ),
    ),
    podAntiAffinity: Type.Optional(
      named(
        `${CORE}PodAntiAffinity`,
        'Pod anti affinity is a group of inter pod anti affinity scheduling rules.',
        podAffinityProps,
      ),
    ),
  },
);

export const Toleration = named(
  `${CORE}Toleration`,
  'The pod this Toleration is attached to tolerates any taint that matches the triple <key,value,effect> using the matching operator <operator>.',
  {
    key: str(),
    operator: str('Valid operators are Exists and Equal. Defaults to Equal.'),
    value: str(),
    effect: str('Allowed values are NoSchedule, PreferNoSchedule and NoExecute.'),
    tolerationSeconds: int64(),
  },
);

export const TopologySpreadConstraint = named(
  `${CORE}TopologySpreadConstraint`,
  'TopologySpreadConstraint specifies how to spread matching pods among the given topology.',
  {
    maxSkew: Type.Integer({ format: 'int32' }),
    topologyKey: Type.String(),
    whenUnsatisfiable: Type.String(),
    labelSelector: Type.Optional(LabelSelector),
    minDomains: int32(),
    nodeAffinityPolicy: str(),
    nodeTaintsPolicy: str(),
    matchLabelKeys: Type.Optional(atomicList(Type.String())),
  },
);
