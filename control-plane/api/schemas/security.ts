/** core/v1 SecurityContext and the profiles it names (SELinux, seccomp, AppArmor, Windows). */
import Type from 'typebox';
import { CORE, atomicList, bool, int64, named, str } from './helpers.ts';

export const SELinuxOptions = named(
  `${CORE}SELinuxOptions`,
  'SELinuxOptions are the labels to be applied to the container',
  {
    user: str(),
    role: str(),
    type: str(),
    level: str(),
  },
);
export const WindowsSecurityContextOptions = named(
  `${CORE}WindowsSecurityContextOptions`,
  'WindowsSecurityContextOptions contain Windows-specific options and credentials.',
  {
    gmsaCredentialSpecName: str(),
    gmsaCredentialSpec: str(),
    runAsUserName: str(),
    hostProcess: bool(),
  },
);
export const SeccompProfile = named(
  `${CORE}SeccompProfile`,
  "SeccompProfile defines a pod/container's seccomp profile settings.",
  {
    type: Type.String(),
    localhostProfile: str(),
  },
);
export const AppArmorProfile = named(
  `${CORE}AppArmorProfile`,
  "AppArmorProfile defines a pod or container's AppArmor settings.",
  {
    type: Type.String(),
    localhostProfile: str(),
  },
);

export const SecurityContext = named(
  `${CORE}SecurityContext`,
  'SecurityContext holds security configuration that will be applied to a container.',
  {
    capabilities: Type.Optional(
      named(`${CORE}Capabilities`, 'Adds and removes POSIX capabilities from running containers.', {
        add: Type.Optional(atomicList(Type.String())),
        drop: Type.Optional(atomicList(Type.String())),
      }),
    ),
    privileged: bool(),
    seLinuxOptions: Type.Optional(SELinuxOptions),
    windowsOptions: Type.Optional(WindowsSecurityContextOptions),
    runAsUser: int64(),
    runAsGroup: int64(),
    runAsNonRoot: bool(),
    readOnlyRootFilesystem: bool(),
    allowPrivilegeEscalation: bool(),
    procMount: str(),
    seccompProfile: Type.Optional(SeccompProfile),
    appArmorProfile: Type.Optional(AppArmorProfile),
  },
);

export const PodSecurityContext = named(
  `${CORE}PodSecurityContext`,
  'PodSecurityContext holds pod-level security attributes and common container settings.',
  {
    seLinuxOptions: Type.Optional(SELinuxOptions),
    windowsOptions: Type.Optional(WindowsSecurityContextOptions),
    runAsUser: int64(),
    runAsGroup: int64(),
    runAsNonRoot: bool(),
    supplementalGroups: Type.Optional(atomicList(Type.Integer({ format: 'int64' }))),
    supplementalGroupsPolicy: str(),
    fsGroup: int64(),
    sysctls: Type.Optional(
      atomicList(
        named(`${CORE}Sysctl`, 'Sysctl defines a kernel parameter to be set', {
          name: Type.String(),
          value: Type.String(),
        }),
      ),
    ),
    fsGroupChangePolicy: str(),
    seccompProfile: Type.Optional(SeccompProfile),
    appArmorProfile: Type.Optional(AppArmorProfile),
    seLinuxChangePolicy: str(),
  },
);
