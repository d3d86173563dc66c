/**
 * The proxy's side effects on iptables behind one small interface, and
 * its implementation by running iptables-restore / iptables-save /
 * iptables of one backend (nf_tables or legacy), optionally inside a
 * network namespace.
 */
import type { JumpRule } from './builtin-jumps.ts';
import { execCommand, type Exec } from './exec-command.ts';
import { IptablesError } from './iptables-error.ts';
import type { TableName } from './ruleset.ts';

/** The two iptables backends of iptables ≥ 1.8. */
export type Backend = 'nft' | 'legacy';

/** What the proxy does to iptables. */
export interface IptablesRunner {
  readonly backend: Backend;
  /**
   * Applies an iptables-restore payload (one or more "*table ... COMMIT"
   * blocks) with --noflush: only the chains it declares are flushed. Each
   * table commits atomically or not at all. Throws IptablesError.
   */
  restore(payload: string, opts: { noflush: true }): Promise<void>;
  /**
   * iptables-save -t `table`, or of every table when `table` is omitted:
   * one read for both of skiff's tables (on nft, iptables-save fetches the
   * whole ruleset from the kernel even for one table, ~1.5 s of CPU at
   * 10,000 services, so two reads cost twice that). Throws IptablesError.
   */
  save(table?: TableName): Promise<string>;
  /** True when `jump` is in its builtin chain (iptables -C; its target chain must exist). */
  hasJump(jump: JumpRule): Promise<boolean>;
  /** Inserts `jump` first in its chain unless present; true when it inserted. */
  ensureJump(jump: JumpRule): Promise<boolean>;
  /** True when `chain` exists in `table`. */
  chainExists(table: TableName, chain: string): Promise<boolean>;
}

/** How ExecIptables runs. */
export interface ExecIptablesOptions {
  backend: Backend;
  /** Run inside this network namespace file (nsenter --net=PATH), e.g. /run/netns/node1. */
  netns?: string;
  /** Seconds to wait for the xtables lock (default 5). */
  lockWaitSeconds?: number;
  /** Kill a command still running after this long (default 10 minutes: a whole nft restore at 10,000 services takes minutes). */
  timeoutMs?: number;
  /** Replaces process execution (tests of error handling). */
  exec?: Exec;
}

/** The commands of each backend, as Debian and most distributions name them. */
export const BACKEND_COMMANDS: Record<
  Backend,
  { iptables: string; save: string; restore: string }
> = {
  nft: { iptables: 'iptables-nft', save: 'iptables-nft-save', restore: 'iptables-nft-restore' },
  legacy: {
    iptables: 'iptables-legacy',
    save: 'iptables-legacy-save',
    restore: 'iptables-legacy-restore',
  },
};

/** IptablesRunner over the iptables commands of one backend. */
export class ExecIptables implements IptablesRunner {
  readonly backend: Backend;
  readonly #exec: Exec;
  readonly #wait: string;

  constructor(opts: ExecIptablesOptions) {
    this.backend = opts.backend;
    this.#exec = opts.exec ?? execCommand({ netns: opts.netns, timeoutMs: opts.timeoutMs });
    this.#wait = `--wait=${opts.lockWaitSeconds ?? 5}`;
  }

  async restore(payload: string, opts: { noflush: true }): Promise<void> {
    const argv = [BACKEND_COMMANDS[this.backend].restore, this.#wait];
    if (opts.noflush) argv.push('--noflush');
    const r = await this.#exec(argv, payload);
    if (r.code !== 0) throw IptablesError.fromRestore(argv.join(' '), r.code, r.stderr, payload);
  }

  async save(table?: TableName): Promise<string> {
    const argv = [BACKEND_COMMANDS[this.backend].save, ...(table ? ['-t', table] : [])];
    const r = await this.#exec(argv);
    if (r.code !== 0) throw this.#error(argv, r.code, r.stderr, table);
    return r.stdout;
  }

  async hasJump(jump: JumpRule): Promise<boolean> {
    return this.#probe([...this.#cli(jump.table), '-C', jump.chain, ...jump.spec], jump.table);
  }

  async ensureJump(jump: JumpRule): Promise<boolean> {
    if (await this.hasJump(jump)) return false;
    const argv = [...this.#cli(jump.table), '-I', jump.chain, '1', ...jump.spec];
    const r = await this.#exec(argv);
    if (r.code !== 0) throw this.#error(argv, r.code, r.stderr, jump.table);
    return true;
  }

  async chainExists(table: TableName, chain: string): Promise<boolean> {
    return this.#probe([...this.#cli(table), '-n', '-L', chain], table);
  }

  #cli(table: TableName): string[] {
    return [BACKEND_COMMANDS[this.backend].iptables, this.#wait, '-t', table];
  }

  // Exit 0: yes; 1 (rule or chain not found): no; anything else is an error.
  async #probe(argv: readonly string[], table: TableName): Promise<boolean> {
    const r = await this.#exec(argv);
    if (r.code === 0) return true;
    if (r.code === 1) return false;
    throw this.#error(argv, r.code, r.stderr, table);
  }

  #error(argv: readonly string[], code: number, stderr: string, table?: string): IptablesError {
    return new IptablesError({ command: argv.join(' '), exitCode: code, stderr, table });
  }
}
