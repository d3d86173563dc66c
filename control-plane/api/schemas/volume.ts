/**
 * core/v1 Volume. The sources skiff can run (emptyDir, hostPath, configMap,
 * secret, persistentVolumeClaim, projected, downwardAPI, image) are fully
 * typed; the cloud and network sources are known names with loosely typed
 * bodies so that real manifests naming them still decode.
 */
import Type from 'typebox';
import { CORE, Quantity, atomicList, bool, freeForm, int32, int64, named, str } from './helpers.ts';
import { ObjectFieldSelector, ResourceFieldSelector } from './container.ts';
import { LabelSelector } from './meta.ts';

export const KeyToPath = named(`${CORE}KeyToPath`, 'Maps a string key to a path within a volume.', {
  key: Type.String(),
  path: Type.String(),
  mode: int32(),
});

const items = () => Type.Optional(atomicList(KeyToPath));

export const DownwardAPIVolumeFile = named(
  `${CORE}DownwardAPIVolumeFile`,
  'DownwardAPIVolumeFile represents information to create the file containing the pod field',
  {
    path: Type.String(),
    fieldRef: Type.Optional(ObjectFieldSelector),
    resourceFieldRef: Type.Optional(ResourceFieldSelector),
    mode: int32(),
  },
);

const downwardApiItems = () => Type.Optional(atomicList(DownwardAPIVolumeFile));

const configMapProjection = named(
  `${CORE}ConfigMapProjection`,
  'Adapts a ConfigMap into a projected volume.',
  {
    name: str(),
    items: items(),
    optional: bool(),
  },
);
const secretProjection = named(
  `${CORE}SecretProjection`,
  'Adapts a secret into a projected volume.',
  {
    name: str(),
    items: items(),
    optional: bool(),
  },
);

export const VolumeProjection = named(
  `${CORE}VolumeProjection`,
  'Projection that may be projected along with other supported volume types.',
  {
    secret: Type.Optional(secretProjection),
    configMap: Type.Optional(configMapProjection),
    downwardAPI: Type.Optional(
      named(
        `${CORE}DownwardAPIProjection`,
        'Represents downward API info for projecting into a projected volume.',
        {
          items: downwardApiItems(),
        },
      ),
    ),
    serviceAccountToken: Type.Optional(
      named(
        `${CORE}ServiceAccountTokenProjection`,
        'ServiceAccountTokenProjection represents a projected service account token volume.',
        {
          audience: str(),
          expirationSeconds: int64(),
          path: Type.String(),
        },
      ),
    ),
    clusterTrustBundle: Type.Optional(
      named(
        `${CORE}ClusterTrustBundleProjection`,
        'ClusterTrustBundleProjection describes how to select a set of ClusterTrustBundle objects and project their contents into the pod filesystem.',
        {
          name: str(),
          signerName: str(),
          labelSelector: Type.Optional(LabelSelector),
          optional: bool(),
          path: Type.String(),
        },
      ),
    ),
  },
);

/** Volume sources accepted by name only; their bodies are not checked field by field. */
const LOOSE_SOURCES = [
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'azureDisk',
  'vsphereVolume',
  'quobyte',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
] as const;

const loose = (k: string) => Type.Optional(freeForm(`The ${k} volume source (not run by skiff).`));
const looseSources = Object.fromEntries(LOOSE_SOURCES.map((k) => [k, loose(k)])) as Record<
  (typeof LOOSE_SOURCES)[number],
  ReturnType<typeof loose>
>;

export const Volume = named(
  `${CORE}Volume`,
  'Volume represents a named volume in a pod that may be accessed by any container in the pod.',
  {
    name: Type.String({
      description: 'name of the volume. Must be a DNS_LABEL and unique within the pod.',
    }),
    emptyDir: Type.Optional(
      named(`${CORE}EmptyDirVolumeSource`, 'Represents an empty directory for a pod.', {
        medium: str(),
        sizeLimit: Type.Optional(Quantity),
      }),
    ),
    hostPath: Type.Optional(
      named(`${CORE}HostPathVolumeSource`, 'Represents a host path mapped into a pod.', {
        path: Type.String(),
        type: str(),
      }),
    ),
    configMap: Type.Optional(
      named(`${CORE}ConfigMapVolumeSource`, 'Adapts a ConfigMap into a volume.', {
        name: str(),
        items: items(),
        defaultMode: int32(),
        optional: bool(),
      }),
    ),
    secret: Type.Optional(
      named(`${CORE}SecretVolumeSource`, 'Adapts a Secret into a volume.', {
        secretName: str(),
        items: items(),
        defaultMode: int32(),
        optional: bool(),
      }),
    ),
    persistentVolumeClaim: Type.Optional(
      named(
        `${CORE}PersistentVolumeClaimVolumeSource`,
        "References the user's PVC in the same namespace.",
        {
          claimName: Type.String(),
          readOnly: bool(),
        },
      ),
    ),
    projected: Type.Optional(
      named(`${CORE}ProjectedVolumeSource`, 'Represents a projected volume source', {
        sources: Type.Optional(atomicList(VolumeProjection)),
        defaultMode: int32(),
      }),
    ),
    downwardAPI: Type.Optional(
      named(
        `${CORE}DownwardAPIVolumeSource`,
        'DownwardAPIVolumeSource represents a volume containing downward API info.',
        {
          items: downwardApiItems(),
          defaultMode: int32(),
        },
      ),
    ),
    image: Type.Optional(
      named(`${CORE}ImageVolumeSource`, 'ImageVolumeSource represents a image volume resource.', {
        reference: str(),
        pullPolicy: str(),
      }),
    ),
    ...looseSources,
  },
);
