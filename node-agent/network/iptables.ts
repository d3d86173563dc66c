/**
 * A minimal iptables adapter for the pod network: read one chain back with
 * `iptables -S`, apply a payload with `iptables-restore --noflush --wait`.
 * node-agent/proxy/iptables.ts has a fuller runner (backend detection); the
 * two should merge into one.
 */
import { runOk, type CommandRunner } from './command.ts';

export interface Iptables {
  /** The chain's rules in `-S` form (`-N`/`-P` and `-A` lines), or undefined if it does not exist. */
  listChain(table: 'filter' | 'nat', chain: string): Promise<string[] | undefined>;
  /** Applies an iptables-restore payload atomically per table, without flushing other chains. */
  restore(payload: string): Promise<void>;
}

export interface ExecIptablesOptions {
  runner: CommandRunner;
  /** The iptables binary (default "iptables": the same backend as Docker's). */
  binary?: string;
  /** How long to wait for the xtables lock, in seconds (default 5). */
  lockWaitSec?: number;
}

/** `Iptables` through the host's binaries (inside a namespace when the runner says so). */
export class ExecIptables implements Iptables {
  readonly #runner: CommandRunner;
  readonly #binary: string;
  readonly #wait: string;

  constructor(opts: ExecIptablesOptions) {
    this.#runner = opts.runner;
    this.#binary = opts.binary ?? 'iptables';
    this.#wait = String(opts.lockWaitSec ?? 5);
  }

  async listChain(table: 'filter' | 'nat', chain: string): Promise<string[] | undefined> {
    const res = await this.#runner.run(this.#binary, ['-w', this.#wait, '-t', table, '-S', chain]);
    if (res.code === 1 && /no chain|does not exist|incompatible/i.test(res.stderr)) {
      return undefined;
    }
    if (res.code !== 0) {
      throw new Error(
        `${this.#binary} -t ${table} -S ${chain} failed (exit ${String(res.code)}): ${res.stderr.trim()}`,
      );
    }
    return res.stdout.split('\n').filter((l) => l !== '');
  }

  async restore(payload: string): Promise<void> {
    await runOk(this.#runner, `${this.#binary}-restore`, ['--noflush', `--wait=${this.#wait}`], {
      input: payload,
    });
  }
}
