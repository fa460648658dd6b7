/**
 * Arguments a command does not take, on the CLI as nest-commander builds it (in this process, without
 * running a command): every command refuses them with commander's usage error (exit code 2 in main.ts),
 * one line naming them, and a path gets the variables that choose the files.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandFactory, CommandRunnerService, type CommandRunner } from 'nest-commander';
import { loadConfig } from '@ledger/servicing';
import { CliModule } from './cli.module';
import { excessArgumentsMessage, throwUsageErrors } from './usage-errors';

type CommanderCommand = Parameters<CommandRunner['setCommand']>[0];

const FILES = '; the files are chosen with LEDGER_SQLITE_PATH (the event log) and LEDGER_READ_MODEL_PATH (the read models), not with arguments';

describe('arguments a command does not take', () => {
  // Files nothing should touch: a command that ran by mistake would find no ledger here.
  const dir = mkdtempSync(join(tmpdir(), 'fx-cli-usage-'));
  let app: Awaited<ReturnType<typeof CommandFactory.createWithoutRunning>>;
  let root: CommanderCommand;
  let written = '';

  beforeAll(async () => {
    app = await CommandFactory.createWithoutRunning(CliModule.forRoot(loadConfig({ LEDGER_SQLITE_PATH: join(dir, 'ledger.sqlite'), LOG_LEVEL: 'silent' })), { cliName: 'ledger', logger: false });
    root = (app.get(CommandRunnerService) as unknown as { commander: CommanderCommand }).commander;
    const capture = (command: CommanderCommand) => {
      command.configureOutput({ writeErr: (text) => (written += text), writeOut: (text) => (written += text) });
      command.commands.forEach(capture);
    };
    capture(root);
    throwUsageErrors(root);
  });

  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => (written = ''));

  it.each(['verify', 'rebuild', 'replay', 'explain', 'gl', 'simulate'])('ledger %s <file>: a usage error naming it, before the command runs', async (name) => {
    expect(root.commands.map((c) => c.name())).toContain(name);
    await expect(root.parseAsync(['node', 'ledger', name, '/tmp/fx-cli-whatever.sqlite'])).rejects.toMatchObject({ code: 'commander.excessArguments' });
    expect(written).toBe(`error: unexpected argument '/tmp/fx-cli-whatever.sqlite': ledger ${name} takes no arguments${FILES}\n`);
  });

  it('names each argument, and gives the hint only for what looks like a file', async () => {
    await expect(root.parseAsync(['node', 'ledger', 'verify', '--no-read-models', 'extra', 'more'])).rejects.toMatchObject({ code: 'commander.excessArguments' });
    expect(written).toBe("error: unexpected arguments 'extra', 'more': ledger verify takes no arguments\n");
    expect(excessArgumentsMessage('verify', 0, ['ledger.sqlite'])).toMatch(/LEDGER_SQLITE_PATH/);
    expect(excessArgumentsMessage('verify', 0, ['backup\\ledger'])).toMatch(/LEDGER_SQLITE_PATH/);
    expect(excessArgumentsMessage('verify', 0, ['now'])).not.toMatch(/LEDGER_SQLITE_PATH/);
  });
});
