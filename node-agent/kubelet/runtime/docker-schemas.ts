/**
 * The parts of Docker's answers the runtime reads, as schemas: every answer
 * is `unknown` until `checkDocker` accepts it, and the types below are all
 * the adapter trusts afterwards. Fields Docker versions disagree on
 * (Labels may be null, Networks may be missing) are typed so.
 */
import Type from 'typebox';
import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

const Labels = Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()]);
const Networks = Type.Optional(
  Type.Union([
    Type.Record(Type.String(), Type.Object({ IPAddress: Type.Optional(Type.String()) })),
    Type.Null(),
  ]),
);
const StringList = Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()]));

/** GET /containers/{id}/json */
export const ContainerInspect = Type.Object({
  Id: Type.String(),
  Created: Type.String(),
  Image: Type.String(),
  State: Type.Object({
    Status: Type.String(),
    Running: Type.Boolean(),
    OOMKilled: Type.Boolean(),
    ExitCode: Type.Integer(),
    Error: Type.Optional(Type.String()),
    StartedAt: Type.String(),
    FinishedAt: Type.String(),
  }),
  Config: Type.Object({
    Image: Type.String(),
    Labels: Type.Optional(Labels),
    Tty: Type.Optional(Type.Boolean()),
  }),
  HostConfig: Type.Optional(Type.Object({ NetworkMode: Type.Optional(Type.String()) })),
  NetworkSettings: Type.Optional(Type.Object({ Networks })),
});
export type ContainerInspect = Static<typeof ContainerInspect>;

/** One entry of GET /containers/json */
export const ContainerListEntry = Type.Object({
  Id: Type.String(),
  Image: Type.String(),
  ImageID: Type.String(),
  Created: Type.Number(),
  State: Type.String(),
  Labels: Type.Optional(Labels),
  HostConfig: Type.Optional(Type.Object({ NetworkMode: Type.Optional(Type.String()) })),
  NetworkSettings: Type.Optional(Type.Object({ Networks })),
});
export type ContainerListEntry = Static<typeof ContainerListEntry>;
export const ContainerList = Type.Array(ContainerListEntry);

/** GET /images/{name}/json */
export const ImageInspect = Type.Object({
  Id: Type.String(),
  RepoDigests: StringList,
  RepoTags: StringList,
});
export type ImageInspect = Static<typeof ImageInspect>;

/** GET /version */
export const EngineVersion = Type.Object({
  Version: Type.String(),
  ApiVersion: Type.String(),
  MinAPIVersion: Type.Optional(Type.String()),
});
export type EngineVersion = Static<typeof EngineVersion>;

/** GET /networks/{id} */
export const NetworkInspect = Type.Object({
  Id: Type.String(),
  Name: Type.String(),
  IPAM: Type.Object({
    Config: Type.Optional(
      Type.Union([
        Type.Array(
          Type.Object({
            Subnet: Type.Optional(Type.String()),
            Gateway: Type.Optional(Type.String()),
          }),
        ),
        Type.Null(),
      ]),
    ),
  }),
});
export type NetworkInspect = Static<typeof NetworkInspect>;

/** One line of GET /events */
export const EngineEvent = Type.Object({
  Type: Type.String(),
  Action: Type.String(),
  Actor: Type.Object({
    ID: Type.String(),
    Attributes: Type.Optional(Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()])),
  }),
  time: Type.Optional(Type.Number()),
  timeNano: Type.Optional(Type.Number()),
});
export type EngineEvent = Static<typeof EngineEvent>;

/** One line of a pull's progress stream. */
export const PullLine = Type.Object({
  status: Type.Optional(Type.String()),
  id: Type.Optional(Type.String()),
  progress: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
  errorDetail: Type.Optional(Type.Object({ message: Type.Optional(Type.String()) })),
});
export type PullLine = Static<typeof PullLine>;

/** GET /exec/{id}/json */
export const ExecInspect = Type.Object({
  Running: Type.Boolean(),
  ExitCode: Type.Union([Type.Integer(), Type.Null()]),
});

const validators = new WeakMap<TSchema, ReturnType<typeof Compile>>();

/**
 * `value` typed as `schema`, or an Error naming `what` and the first
 * mismatches (the engine answered something this adapter does not know).
 */
export function checkDocker<T extends TSchema>(schema: T, value: unknown, what: string): Static<T> {
  let v = validators.get(schema);
  if (!v) {
    v = Compile(schema);
    validators.set(schema, v);
  }
  if (v.Check(value)) return value as Static<T>;
  const errs = v
    .Errors(value)
    .slice(0, 3)
    .map((e) => `${e.instancePath || '/'} ${e.message}`)
    .join('; ');
  throw new Error(`unexpected Docker answer to ${what}: ${errs}`);
}
