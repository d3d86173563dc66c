#!/usr/bin/env node
/**
 * `skiff`: one program, roles by subcommand (as k3s does). This file only
 * dispatches: it knows each subcommand's name, summary and module, loads the
 * one asked for, parses its flags, prints help and turns failures into exit
 * codes (0 ok, 1 failed, 2 bad usage).
 */
import { parseArgs } from 'node:util';
import type { Command, CommandOption } from '../api/command.ts';
import { UsageError } from '../api/command.ts';
import { COMMANDS } from './commands.ts';
import pkg from '../../package.json' with { type: 'json' };

const VERSION = pkg.version;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic === undefined) {
      process.stdout.write(topLevelHelp());
      return 0;
    }
    const cmd = await loadCommand(topic);
    if (!cmd) return unknownCommand(topic);
    process.stdout.write(commandHelp(cmd));
    return 0;
  }
  if (name === '--version' || name === 'version') {
    process.stdout.write(`skiff v${VERSION}\n`);
    return 0;
  }
  const cmd = await loadCommand(name);
  if (!cmd) return unknownCommand(name);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(commandHelp(cmd));
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: toParseArgsOptions(cmd.options),
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    process.stderr.write(
      `skiff ${cmd.name}: ${(err as Error).message}\nRun 'skiff ${cmd.name} --help' for the flags it takes.\n`,
    );
    return 2;
  }
  try {
    return (await cmd.run(parsed.values, parsed.positionals)) ?? 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`skiff ${cmd.name}: ${err.message}\n`);
      return 2;
    }
    const message = err instanceof Error ? err.message : String(err);
    // Add the cause only when the message does not already carry it.
    const cause =
      err instanceof Error && err.cause instanceof Error && !message.includes(err.cause.message)
        ? `: ${err.cause.message}`
        : '';
    process.stderr.write(`skiff ${cmd.name}: ${message}${cause}\n`);
    return 1;
  }
}

async function loadCommand(name: string): Promise<Command | undefined> {
  const entry = COMMANDS.find((c) => c.name === name);
  return entry ? await entry.load() : undefined;
}

function unknownCommand(name: string): number {
  process.stderr.write(`skiff: unknown command "${name}". Run 'skiff --help' for the list.\n`);
  return 2;
}

function toParseArgsOptions(options: Record<string, CommandOption>) {
  const out: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {};
  for (const [flag, opt] of Object.entries(options)) {
    out[flag] = { type: opt.type, ...(opt.multiple ? { multiple: true } : {}) };
  }
  return out;
}

function topLevelHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), 7);
  const rows = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    `skiff v${VERSION}: a lightweight, Kubernetes-compatible container orchestrator.`,
    '',
    'Usage: skiff <command> [flags]',
    '',
    'Commands:',
    ...rows,
    `  ${'help'.padEnd(width)}  Show help for a command (skiff help <command>)`,
    `  ${'version'.padEnd(width)}  Print the version`,
    '',
    "Run 'skiff <command> --help' for a command's flags.",
    '',
  ].join('\n');
}

/** Help for one command: summary, usage, flags with defaults, examples. */
export function commandHelp(cmd: Command): string {
  const flags = Object.entries(cmd.options).map(([flag, opt]) => {
    const left = `--${flag}${opt.type === 'string' ? ` ${opt.placeholder ?? 'VALUE'}` : ''}`;
    const def = opt.default === undefined ? '' : ` (default: ${String(opt.default)})`;
    return { left, right: `${opt.description}${def}` };
  });
  const width = Math.max(0, ...flags.map((f) => f.left.length));
  return [
    `skiff ${cmd.name}: ${cmd.summary}`,
    '',
    `Usage: skiff ${cmd.name} [flags]`,
    '',
    cmd.description.trim(),
    '',
    'Flags:',
    ...flags.map((f) => `  ${f.left.padEnd(width)}  ${f.right}`),
    `  ${'--help'.padEnd(width)}  Show this help`,
    ...(cmd.examples?.length ? ['', 'Examples:', ...cmd.examples.map((e) => `  ${e}`)] : []),
    '',
  ].join('\n');
}

process.exitCode = await main(process.argv.slice(2));
