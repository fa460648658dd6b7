/**
 * Usage errors as the CLI reports them: each one reaches main.ts's `fail` as commander's error (exit
 * code 2), on every command nest-commander builds, arguments a command does not take among them.
 */
import { existsSync } from 'node:fs';
import type { CommandRunner } from 'nest-commander';

/** Commander's command, as nest-commander builds it. */
type CommanderCommand = Parameters<CommandRunner['setCommand']>[0];

/** What a file path looks like: a directory separator, or a database file's extension, or a file that is there. */
function looksLikeFile(arg: string): boolean {
  return /[\\/]/.test(arg) || /\.(sqlite3?|db)$/i.test(arg) || existsSync(arg);
}

/**
 * The one line for arguments a command does not take: commander's own says how many, not which. A file
 * path gets the variables that choose the files (`ledger verify /backup/ledger.sqlite` would otherwise
 * seem to verify that file while it verified LEDGER_SQLITE_PATH).
 */
export function excessArgumentsMessage(command: string, expected: number, received: readonly string[]): string {
  const excess = received.slice(expected);
  const names = excess.map((arg) => `'${arg}'`).join(', ');
  const takes = expected === 0 ? 'takes no arguments' : `takes ${expected} argument${expected === 1 ? '' : 's'}`;
  const hint = excess.some(looksLikeFile) ? '; the files are chosen with LEDGER_SQLITE_PATH (the event log) and LEDGER_READ_MODEL_PATH (the read models), not with arguments' : '';
  return `error: unexpected argument${excess.length === 1 ? '' : 's'} ${names}: ledger ${command} ${takes}${hint}`;
}

/**
 * Commander ends a usage error with process.exit(1) unless the command has an exit override that throws,
 * and nest-commander sets the override on the root command only: every subcommand gets it here, so that
 * each usage error reaches `fail` (exit code 2). Commander (11) takes excess arguments by default and
 * nest-commander only allows them (`allowExcessArgs`): each command here refuses them, with a line
 * naming them in place of commander's count.
 */
export function throwUsageErrors(command: CommanderCommand): void {
  command.exitOverride((error) => {
    throw error;
  });
  command.allowExcessArguments(false);
  // Each command nest-commander builds has an output configuration of its own (`new Command`).
  const { outputError } = command.configureOutput();
  command.configureOutput({
    outputError: (text, write) => {
      if (!text.startsWith('error: too many arguments')) return outputError ? outputError(text, write) : write(text);
      write(`${excessArgumentsMessage(command.name(), command.registeredArguments.length, command.args)}\n`);
    },
  });
  for (const sub of command.commands) throwUsageErrors(sub);
}
