/** core/v1 probes and lifecycle hooks: exec, httpGet, tcpSocket, grpc and sleep handlers. */
import Type from 'typebox';
import type { TProperties } from 'typebox';
import { CORE, IntOrString, atomicList, int32, int64, named, str } from './helpers.ts';

export const ExecAction = named(
  `${CORE}ExecAction`,
  'ExecAction describes a "run in container" action.',
  {
    command: Type.Optional(atomicList(Type.String())),
  },
);
export const HTTPGetAction = named(
  `${CORE}HTTPGetAction`,
  'HTTPGetAction describes an action based on HTTP Get requests.',
  {
    path: str(),
    port: IntOrString,
    host: str(),
    scheme: str(),
    httpHeaders: Type.Optional(
      atomicList(
        named(
          `${CORE}HTTPHeader`,
          'HTTPHeader describes a custom header to be used in HTTP probes',
          { name: Type.String(), value: Type.String() },
        ),
      ),
    ),
  },
);
export const TCPSocketAction = named(
  `${CORE}TCPSocketAction`,
  'TCPSocketAction describes an action based on opening a socket',
  {
    port: IntOrString,
    host: str(),
  },
);
export const GRPCAction = named(
  `${CORE}GRPCAction`,
  'GRPCAction specifies an action involving a GRPC service.',
  {
    port: Type.Integer({ format: 'int32' }),
    service: str(),
  },
);

const handlerProps = {
  exec: Type.Optional(ExecAction),
  httpGet: Type.Optional(HTTPGetAction),
  tcpSocket: Type.Optional(TCPSocketAction),
} satisfies TProperties;

export const Probe = named(
  `${CORE}Probe`,
  'Probe describes a health check to be performed against a container to determine whether it is alive or ready to receive traffic.',
  {
    ...handlerProps,
    grpc: Type.Optional(GRPCAction),
    initialDelaySeconds: int32(),
    timeoutSeconds: int32(),
    periodSeconds: int32(),
    successThreshold: int32(),
    failureThreshold: int32(),
    terminationGracePeriodSeconds: int64(),
  },
);

export const LifecycleHandler = named(
  `${CORE}LifecycleHandler`,
  'LifecycleHandler defines a specific action that should be taken in a lifecycle hook.',
  {
    ...handlerProps,
    sleep: Type.Optional(
      named(`${CORE}SleepAction`, 'SleepAction describes a "sleep" action.', {
        seconds: Type.Integer({ format: 'int64' }),
      }),
    ),
  },
);

export const Lifecycle = named(
  `${CORE}Lifecycle`,
  'Lifecycle describes actions that the management system should take in response to container lifecycle events.',
  {
    postStart: Type.Optional(LifecycleHandler),
    preStop: Type.Optional(LifecycleHandler),
    stopSignal: str(),
  },
);
