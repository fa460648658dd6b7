import 'reflect-metadata';
import { CommandFactory, CommandRunnerService, type CommandRunner } from 'nest-commander';
import { LogOfNewerBuildError } from '@ledger/event-store';
import { ConfigError, damagedFileNote, loadConfig } from '@ledger/servicing';
import { CliModule } from './cli.module';
import { CliError } from './output';
import { throwUsageErrors } from './usage-errors';

/** Commander's command, as nest-commander builds it. */
type CommanderCommand = Parameters<CommandRunner['setCommand']>[0];

/**
 * Exit codes: 0 clean, 1 findings (verify), 2 a usage or input error, 3 an unexpected failure, 78 configuration,
 * and 128 + the signal's number when a signal ended the command (bin/ledger.js).
 */
const FILES_AND_EXIT_CODES = `
Files (environment):
  LEDGER_SQLITE_PATH      the event log (default ./data/ledger.sqlite; npm start's demo is ./data/demo/ledger.sqlite)
  LEDGER_READ_MODEL_PATH  the read models (default beside the log: ledger.sqlite gives ledger.read-models.sqlite)
  LEDGER_STORE=eventstoredb and EVENTSTORE_CONNECTION_STRING: EventStoreDB instead (docs/configuration.md)

Exit codes: 0 done (verify: no finding), 1 verify found something, 2 a usage or input error,
3 an unexpected failure, 78 a configuration error, 128 + its number when a signal ended it
(130 SIGINT, 137 SIGKILL, 143 SIGTERM).`;

function fail(error: Error): void {
  if (isCommanderError(error)) {
    // Commander has printed its message (or the help) already; --help and --version end with exit code 0.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
    return;
  }
  if (isClosedStdout(error)) {
    process.exitCode ??= 0;
    return;
  }
  if (error instanceof CliError) {
    process.stderr.write(`ledger: ${error.message}\n`);
    process.exitCode = error.exitCode;
    return;
  }
  if (error instanceof LogOfNewerBuildError) {
    process.stderr.write(`configuration error: ${error.message}\n`);
    process.exitCode = 78;
    return;
  }
  // SQLite found a file damaged: one line naming the files and what to do, not a stack trace.
  const damaged = filesOpened === undefined ? null : damagedFileNote(error, filesOpened);
  process.stderr.write(`ledger: ${damaged ?? error.stack ?? error.message}\n`);
  process.exitCode = 3;
}

/** The files this run opens, for a message that names them (`damagedFileNote`). */
let filesOpened: Parameters<typeof damagedFileNote>[1] | undefined;

function isCommanderError(error: unknown): error is Error & { code: string; exitCode: number } {
  const { code, exitCode } = error as { code?: unknown; exitCode?: unknown };
  return typeof code === 'string' && code.startsWith('commander.') && typeof exitCode === 'number';
}

/** The reader of stdout has gone (`ledger gl | head`): nothing more can be said, and nothing went wrong. */
function isClosedStdout(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'EPIPE';
}

/**
 * `ledger help <name>` of a command that does not exist: commander prints the whole help and exits 1;
 * it is the usage error `ledger <name>` would be (one line, "unknown command", exit code 2).
 */
function helpOfUnknownCommand(root: CommanderCommand, args: string[]): string[] {
  const [first, name] = args;
  if (first !== 'help' || name === undefined || name.startsWith('-') || name === 'help') return args;
  return root.commands.some((c) => c.name() === name || c.aliases().includes(name)) ? args : [name];
}

/** Help (or the version) asked for: nothing is opened, so no setting need be right (a production host's hash key, say). */
function asksForHelp(args: string[]): boolean {
  return args.length === 0 || args[0] === 'help' || args.some((a) => a === '--help' || a === '-h' || a === '--version' || a === '-V');
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    if (asksForHelp(process.argv.slice(2))) config = loadConfig({});
    else {
      process.stderr.write(`configuration error: ${error.message}\n`);
      process.exitCode = 78;
      return;
    }
  }
  filesOpened = config;
  process.stdout.on('error', (error) => {
    if (!isClosedStdout(error)) throw error;
    process.exit(process.exitCode ?? 0);
  });
  // `ledger verify 2>&1 | head`: a notice on stderr after the reader has gone is not a failure of the
  // command; the work goes on, and its exit code says how it went.
  process.stderr.on('error', (error) => {
    if (!isClosedStdout(error)) throw error;
  });
  const app = await CommandFactory.createWithoutRunning(CliModule.forRoot(config, Boolean(process.env.LEDGER_READ_MODEL_PATH)), {
    cliName: 'ledger',
    logger: ['error', 'warn'],
    serviceErrorHandler: fail,
    errorHandler: (error) => {
      throw error;
    },
  });
  try {
    const runner = app.get(CommandRunnerService);
    const root = (runner as unknown as { commander: CommanderCommand }).commander;
    // Commander names the program after the script (`main`); its help should say what people type.
    root.name('ledger');
    root.addHelpText('after', FILES_AND_EXIT_CODES);
    throwUsageErrors(root);
    const args = process.argv.slice(2);
    await runner.run([...process.argv.slice(0, 2), ...helpOfUnknownCommand(root, args)]);
  } finally {
    await app.close();
  }
}

void main();
