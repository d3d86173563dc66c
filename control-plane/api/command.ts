/**
 * The shape of one `skiff` subcommand. The dispatcher in
 * control-plane/cli/skiff.ts parses flags, prints help and maps failures to
 * exit codes for every command alike, so a command only declares its flags
 * and implements `run`.
 */
export interface CommandOption {
  type: 'string' | 'boolean';
  description: string;
  /** Shown in help as `--flag VALUE`. */
  placeholder?: string;
  default?: string | boolean;
  multiple?: boolean;
}

export type CommandValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface Command {
  name: string;
  /** One line for `skiff --help`. */
  summary: string;
  /** Paragraphs for `skiff <name> --help`. */
  description: string;
  options: Record<string, CommandOption>;
  /** Examples shown in help, one command line each. */
  examples?: string[];
  /** Resolves to the process exit code (0 when absent). */
  run(values: CommandValues, positionals: string[]): Promise<number | void>;
}

/** Thrown by a command for a problem the user can fix; printed without a stack. */
export class UsageError extends Error {
  override name = 'UsageError';
}
