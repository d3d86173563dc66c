/**
 * The subcommands of `skiff`, in the order help lists them. Each module is
 * loaded only when needed, so `skiff agent` never loads the API server.
 */
import type { Command } from '../api/command.ts';

export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: CommandEntry[] = [
  {
    name: 'server',
    summary: 'Run the control plane: the API server over the cluster store',
    load: async () => (await import('./server.ts')).command,
  },
  {
    name: 'agent',
    summary: 'Run the node agent: register this host and run its pods in Docker',
    load: async () => (await import('../../node-agent/agent-command.ts')).command,
  },
  {
    name: 'up',
    summary: 'Create a local multi-node cluster on this machine (needs root and Docker)',
    load: async () => (await import('./up.ts')).command,
  },
  {
    name: 'down',
    summary: "Remove the local cluster 'skiff up' created, and nothing else",
    load: async () => (await import('./down.ts')).command,
  },
  {
    name: 'store-info',
    summary: 'Open a cluster store and print its revision and size (checks it is healthy)',
    load: async () => (await import('./store-info.ts')).command,
  },
];
