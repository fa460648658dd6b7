/**
 * `ledger simulate --accounts N --months M --seed S`: the deterministic portfolio generator, driving the
 * same command handlers as the API through a ledger context on the configured files (manual clock), with
 * the read models following and an audit anchor written after each closed day.
 */
import { existsSync } from 'node:fs';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { Command, CommandRunner, Option } from 'nest-commander';
import { addDays, isValidDate } from '@ledger/credit';
import { AccountRepository, BusinessClock, EndOfDaySchedule, EndOfDayService, type LedgerConfig, LedgerModule, PortfolioSimulator } from '@ledger/servicing';
import { AuditAnchorScheduler } from '@ledger/servicing/audit';
import { ProjectedEndOfDaySchedule, ReadModels } from '../../../ledger-api/src/read-side/read-models';
import { assertEventLog, LedgerFiles } from '../ledger-files';
import { CliError, json, out, progress } from '../output';

interface SimulateOptions {
  accounts: number;
  months: number;
  seed: number;
  start?: string;
  until?: string;
}

@Module({})
class SimulationModule {
  static forRoot(config: LedgerConfig) {
    return {
      module: SimulationModule,
      imports: [
        LedgerModule.forRoot(config, {
          providers: [ReadModels, { provide: EndOfDaySchedule, useClass: ProjectedEndOfDaySchedule }, AuditAnchorScheduler],
          exports: [ReadModels, EndOfDaySchedule, AuditAnchorScheduler],
        }),
      ],
    };
  }
}

/**
 * The first day to simulate. A ledger with closed days goes on from the day after the last (any other
 * start would leave days unclosed behind the clock, and every later command and close refused); a new
 * one starts on `--start` or the clock's business date, never before it (the clock only moves forward).
 */
export function firstDayToSimulate(asked: string | undefined, lastClosed: string | null, today: string): string {
  if (lastClosed !== null) {
    const next = addDays(lastClosed, 1);
    if (asked !== undefined && asked !== next) throw new CliError(`--start ${asked}: this ledger has closed every day up to ${lastClosed}, so a simulation goes on from ${next}; leave --start out`);
    if (today > next) throw new CliError(`the business clock is at ${today} but the last closed day is ${lastClosed}: close the days up to ${addDays(today, -1)} first`);
    return next;
  }
  if (asked !== undefined && asked < today) throw new CliError(`--start ${asked} is before the business clock's date ${today}, and the clock only moves forward`);
  return asked ?? today;
}

function positiveInteger(name: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new CliError(`${name} must be a positive integer, got ${value}`);
  return Number(value);
}

@Command({ name: 'simulate', description: 'generate a deterministic portfolio through the command handlers' })
export class SimulateCommand extends CommandRunner {
  constructor(private readonly files: LedgerFiles) {
    super();
  }

  async run(_params: string[], options: SimulateOptions): Promise<void> {
    const config = this.files.config;
    if (config.clock !== 'manual') throw new CliError('simulate needs the manual business clock (LEDGER_CLOCK=manual)');
    if (options.start !== undefined && !isValidDate(options.start)) throw new CliError(`--start must be a date (YYYY-MM-DD), got ${options.start}`);
    if (options.until !== undefined && !isValidDate(options.until)) throw new CliError(`--until must be a date (YYYY-MM-DD), got ${options.until}`);
    // A new file becomes a ledger; an existing one must be one already (not the read models beside it).
    if (config.store === 'sqlite' && existsSync(config.sqlitePath)) assertEventLog(config.sqlitePath);
    const app = await NestFactory.createApplicationContext(SimulationModule.forRoot(config), { logger: ['error', 'warn'] });
    app.enableShutdownHooks();
    await app.init();
    const bar = progress('simulate');
    try {
      const clock = app.get(BusinessClock);
      const endOfDay = app.get(EndOfDayService);
      const start = firstDayToSimulate(options.start, (await endOfDay.lastClosed()).date, clock.businessDate());
      if (options.until !== undefined && options.until < start) throw new CliError(`--until ${options.until} is before the first day to simulate, ${start}`);
      const simulator = new PortfolioSimulator(app.get(CommandBus), app.get(AccountRepository), clock);
      const started = Date.now();
      const report = await simulator.run({
        accounts: options.accounts ?? 100,
        months: options.months ?? 12,
        seed: options.seed ?? 1,
        start,
        lastDay: options.until,
        onDay: (_date, index, total) => bar.update(index, total),
      });
      bar.stop();
      await app.get(ReadModels).consistent();
      await app.get(AuditAnchorScheduler).trigger();
      out(json({ ...report, lastClosed: (await endOfDay.lastClosed()).date, elapsedMs: Date.now() - started }));
    } finally {
      bar.stop();
      await app.close();
    }
  }

  @Option({ flags: '--accounts <n>', description: 'applications to generate (default 100)' })
  parseAccounts(value: string): number {
    return positiveInteger('--accounts', value);
  }

  @Option({ flags: '--months <n>', description: "months to simulate, counting the first day's own: the run closes the last day of each (default 12)" })
  parseMonths(value: string): number {
    return positiveInteger('--months', value);
  }

  @Option({ flags: '--seed <n>', description: 'random seed (default 1); a seed makes the same applicants, so a second run with it adds no accounts' })
  parseSeed(value: string): number {
    return positiveInteger('--seed', value);
  }

  @Option({ flags: '--until <date>', description: 'the last business day to close, in place of --months (a run that ends inside a month)' })
  parseUntil(value: string): string {
    return value;
  }

  @Option({ flags: '--start <date>', description: "first business day of a new ledger (default: the clock's business date); a ledger with closed days goes on from the day after the last" })
  parseStart(value: string): string {
    return value;
  }
}
