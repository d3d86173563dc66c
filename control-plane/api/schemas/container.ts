/** core/v1 Container and the shapes it is made of (ports, env, resources, mounts). */
import Type from 'typebox';
import type { TProperties } from 'typebox';
import {
  CORE,
  Quantity,
  atomicList,
  bool,
  int32,
  mergeList,
  named,
  quantityMap,
  str,
} from './helpers.ts';
import { Lifecycle, Probe } from './probe.ts';
import { SecurityContext } from './security.ts';

export const ContainerPort = named(
  `${CORE}ContainerPort`,
  'ContainerPort represents a network port in a single container.',
  {
    name: str('If specified, this must be an IANA_SVC_NAME and unique within the pod.'),
    hostPort: int32(),
    containerPort: Type.Integer({
      format: 'int32',
      description: "Number of port to expose on the pod's IP address.",
    }),
    protocol: str('Protocol for port. Must be UDP, TCP, or SCTP. Defaults to "TCP".'),
    hostIP: str(),
  },
);

const keySelector = (id: string, what: string) =>
  named(`${CORE}${id}`, `Selects a key from a ${what}.`, {
    key: Type.String(),
    name: str(),
    optional: bool(),
  });

export const ObjectFieldSelector = named(
  `${CORE}ObjectFieldSelector`,
  'ObjectFieldSelector selects an APIVersioned field of an object.',
  {
    apiVersion: str(),
    fieldPath: Type.String(),
  },
);

export const ResourceFieldSelector = named(
  `${CORE}ResourceFieldSelector`,
  'ResourceFieldSelector represents container resources (cpu, memory) and their output format.',
  {
    containerName: str(),
    resource: Type.String(),
    divisor: Type.Optional(Quantity),
  },
);

export const EnvVarSource = named(
  `${CORE}EnvVarSource`,
  'EnvVarSource represents a source for the value of an EnvVar.',
  {
    fieldRef: Type.Optional(ObjectFieldSelector),
    resourceFieldRef: Type.Optional(ResourceFieldSelector),
    configMapKeyRef: Type.Optional(keySelector('ConfigMapKeySelector', 'ConfigMap')),
    secretKeyRef: Type.Optional(keySelector('SecretKeySelector', "secret in the pod's namespace")),
  },
);

export const EnvVar = named(
  `${CORE}EnvVar`,
  'EnvVar represents an environment variable present in a Container.',
  {
    name: Type.String(),
    value: str(),
    valueFrom: Type.Optional(EnvVarSource),
  },
);

const envFromRef = (id: string, what: string) =>
  named(`${CORE}${id}`, `Selects a ${what} to populate the environment variables with.`, {
    name: str(),
    optional: bool(),
  });

export const EnvFromSource = named(
  `${CORE}EnvFromSource`,
  'EnvFromSource represents the source of a set of ConfigMaps or Secrets.',
  {
    prefix: str(),
    configMapRef: Type.Optional(envFromRef('ConfigMapEnvSource', 'ConfigMap')),
    secretRef: Type.Optional(envFromRef('SecretEnvSource', 'Secret')),
  },
);

export const ResourceRequirements = named(
  `${CORE}ResourceRequirements`,
  'ResourceRequirements describes the compute resource requirements.',
  {
    limits: quantityMap(),
    requests: quantityMap(),
    claims: Type.Optional(
      Type.Array(
        named(
          `${CORE}ResourceClaim`,
          'ResourceClaim references one entry in PodSpec.ResourceClaims.',
          { name: Type.String(), request: str() },
        ),
        {
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
        },
      ),
    ),
  },
);

export const VolumeMount = named(
  `${CORE}VolumeMount`,
  'VolumeMount describes a mounting of a Volume within a container.',
  {
    name: Type.String(),
    readOnly: bool(),
    recursiveReadOnly: str(),
    mountPath: Type.String(),
    subPath: str(),
    mountPropagation: str(),
    subPathExpr: str(),
  },
);

export const VolumeDevice = named(
  `${CORE}VolumeDevice`,
  'volumeDevice describes a mapping of a raw block device within a container.',
  {
    name: Type.String(),
    devicePath: Type.String(),
  },
);

export const ContainerResizePolicy = named(
  `${CORE}ContainerResizePolicy`,
  'ContainerResizePolicy represents resource resize policy for the container.',
  {
    resourceName: Type.String(),
    restartPolicy: Type.String(),
  },
);

/** The fields Container and EphemeralContainer share. */
const containerProps = {
  name: Type.String({ description: 'Name of the container specified as a DNS_LABEL.' }),
  image: str('Container image name.'),
  command: Type.Optional(
    atomicList(
      Type.String(),
      "Entrypoint array. Not executed within a shell. The image's ENTRYPOINT is used if this is not provided.",
    ),
  ),
  args: Type.Optional(
    atomicList(
      Type.String(),
      "Arguments to the entrypoint. The image's CMD is used if this is not provided.",
    ),
  ),
  workingDir: str("Container's working directory. Defaults to the image's."),
  ports: Type.Optional(
    mergeList(ContainerPort, 'containerPort', {
      mapKeys: ['containerPort', 'protocol'],
      description:
        'List of ports to expose from the container (informational, as the pod shares one network namespace).',
    }),
  ),
  envFrom: Type.Optional(
    atomicList(
      EnvFromSource,
      'Sources to populate environment variables in the container: every key of a ConfigMap or Secret.',
    ),
  ),
  env: Type.Optional(
    mergeList(EnvVar, 'name', {
      mapKeys: ['name'],
      description: 'List of environment variables to set in the container.',
    }),
  ),
  resources: Type.Optional(ResourceRequirements),
  resizePolicy: Type.Optional(
    atomicList(ContainerResizePolicy, 'Resources resize policy for the container.'),
  ),
  restartPolicy: str(
    'RestartPolicy defines the restart behavior of an init container (Always makes it a sidecar).',
  ),
  volumeMounts: Type.Optional(
    mergeList(VolumeMount, 'mountPath', {
      mapKeys: ['mountPath'],
      description: "Pod volumes to mount into the container's filesystem.",
    }),
  ),
  volumeDevices: Type.Optional(
    mergeList(VolumeDevice, 'devicePath', {
      mapKeys: ['devicePath'],
      description: 'Block devices to be used by the container.',
    }),
  ),
  livenessProbe: Type.Optional(Probe),
  readinessProbe: Type.Optional(Probe),
  startupProbe: Type.Optional(Probe),
  lifecycle: Type.Optional(Lifecycle),
  terminationMessagePath: str(
    "File the container's termination message is written to. Defaults to /dev/termination-log.",
  ),
  terminationMessagePolicy: str(
    'How the termination message is populated: File (default) or FallbackToLogsOnError.',
  ),
  imagePullPolicy: str('Image pull policy. One of Always, Never, IfNotPresent.'),
  securityContext: Type.Optional(SecurityContext),
  stdin: bool(
    'Whether this container should allocate a buffer for stdin in the container runtime.',
  ),
  stdinOnce: bool(
    'Whether the container runtime should close the stdin channel after it has been opened by a single attach.',
  ),
  tty: bool('Whether this container should allocate a TTY for itself; also requires stdin.'),
} satisfies TProperties;

export const Container = named(
  `${CORE}Container`,
  'A single application container that you want to run within a pod.',
  containerProps,
);

export const EphemeralContainer = named(
  `${CORE}EphemeralContainer`,
  'An EphemeralContainer is a temporary container that you may add to an existing Pod for user-initiated activities such as debugging.',
  { ...containerProps, targetContainerName: str() },
);
