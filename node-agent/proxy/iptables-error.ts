/**
 * The error of a failed iptables command, naming the command, the table,
 * the failing payload line and what to do.
 */

/** A failed iptables, iptables-save or iptables-restore run. */
export class IptablesError extends Error {
  override readonly name = 'IptablesError';
  /** The command line, e.g. "iptables-nft-restore --noflush --wait=5". */
  readonly command: string;
  /** The exit code (4: the xtables lock was busy; -1: did not start or timed out). */
  readonly exitCode: number;
  /** The table the failure is in, when known. */
  readonly table: string | undefined;
  /** The 1-based payload line iptables-restore reported, and its text. */
  readonly line: number | undefined;
  readonly lineText: string | undefined;
  readonly stderr: string;

  constructor(f: {
    command: string;
    exitCode: number;
    stderr: string;
    table?: string;
    line?: number;
    lineText?: string;
  }) {
    const where = f.line !== undefined ? ` at line ${f.line} ("${f.lineText ?? ''}")` : '';
    const table = f.table ? ` in table ${f.table}` : '';
    super(
      `${f.command} failed with exit code ${f.exitCode}${table}${where}: ` +
        `${f.stderr.trim().split('\n').slice(-3).join(' | ') || 'no output'}. ${advice(f.exitCode)}`,
    );
    this.command = f.command;
    this.exitCode = f.exitCode;
    this.table = f.table;
    this.line = f.line;
    this.lineText = f.lineText;
    this.stderr = f.stderr;
  }

  /**
   * The error of an iptables-restore run of `payload`: the failing line is
   * taken from "Error occurred at line: N" (parse errors) or "line N failed"
   * (commit errors), and its table from the last "*table" line before it.
   */
  static fromRestore(
    command: string,
    exitCode: number,
    stderr: string,
    payload: string,
  ): IptablesError {
    const m = /Error occurred at line: (\d+)/.exec(stderr) ?? /line (\d+) failed/.exec(stderr);
    if (!m) return new IptablesError({ command, exitCode, stderr });
    const line = Number(m[1]);
    const lines = payload.split('\n');
    const table = lines
      .slice(0, line)
      .findLast((l) => l.startsWith('*'))
      ?.slice(1);
    return new IptablesError({ command, exitCode, stderr, table, line, lineText: lines[line - 1] });
  }
}

function advice(code: number): string {
  if (code === 4) return 'Another program held the xtables lock; the sync is retried.';
  if (code === -1)
    return 'Check that iptables is installed and on PATH, and that skiff runs as root.';
  return (
    'The failing table was left as it was (each table commits atomically); run a full sync next. ' +
    'If that fails too, check the kernel modules (xt_statistic, xt_recent, xt_comment, ' +
    'xt_addrtype) and the iptables backend.'
  );
}
