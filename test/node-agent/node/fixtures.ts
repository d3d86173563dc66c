/**
 * Readings for the pure tests of node-agent/node: a healthy 2-CPU machine
 * with 8 GiB of memory and a 100 GiB data filesystem, changed per case.
 */
import type { NodeReadings } from '../../../node-agent/node/node-object.ts';

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;

/** A healthy machine; `over` replaces fields. */
export function readings(over: Partial<NodeReadings> = {}): NodeReadings {
  return {
    cpuCount: 2,
    memoryBytes: 8 * GiB,
    ephemeralStorageBytes: 100 * GiB,
    hostname: 'vm',
    operatingSystem: 'linux',
    architecture: 'amd64',
    kernelVersion: '6.1.0-18-amd64',
    osImage: 'Debian GNU/Linux 12 (bookworm)',
    machineID: 'f00d',
    systemUUID: 'beef',
    bootID: 'b007',
    containerRuntimeVersion: 'docker://20.10.24',
    kubeletVersion: 'v1.32.0+skiff0.1.0',
    nodeIp: '10.0.0.5',
    kubeletPort: 10250,
    maxPods: 110,
    memoryAvailableBytes: 6 * GiB,
    diskAvailablePercent: 60,
    pidsInUse: 300,
    pidMax: 4_194_304,
    ...over,
  };
}
