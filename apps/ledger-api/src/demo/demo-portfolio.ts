/**
 * Demo mode (LEDGER_DEMO=1, what `npm start` uses): on an empty ledger, generate a deterministic
 * portfolio with the simulator (a few thousand accounts over a year) so the dashboards show something
 * meaningful at once. It runs after the server is listening, so the docs and the dashboard are usable
 * while the history fills in; a ledger that already has events is left as it is.
 */
import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { EventStore, SqliteEventStore } from '@ledger/event-store';
import { BUSINESS_DAYS_STREAM } from '@ledger/projections';
import { AccountRepository, BusinessClock, EndOfDayService, LedgerSettings, PortfolioSimulator } from '@ledger/servicing';
import { DemoKeys } from '../auth/auth.module';

/** How a ledger whose first closed day is `first` falls short of a demo of `months` closed to `closed`, or null when it does not. */
export function demoLeftShort(first: string | undefined, closed: string | null, months: number): string | null {
  if (first === undefined) return null;
  const planned = PortfolioSimulator.lastDay(first, months);
  return closed === null || closed < planned ? `its days closed only to ${closed ?? 'none'}, short of the ${planned} a ${months}-month demo closes` : null;
}

export async function generateDemoPortfolio(app: INestApplication): Promise<void> {
  const { config } = app.get(LedgerSettings);
  if (!config.demo) return;
  const logger = new Logger('Demo');
  const store = app.get(EventStore);
  if ((await store.headPosition()) > 0n) {
    // A first start stopped before its demo was built (Ctrl-C, a crash) leaves a demo that ends early:
    // say so, rather than keep it as if it were whole.
    // The demo closes every day from its first: the first day closed is where it began.
    const [firstClose] = await store.readStream(BUSINESS_DAYS_STREAM, { maxCount: 1 });
    const began = (firstClose?.data as { businessDate?: string } | undefined)?.businessDate;
    const short = demoLeftShort(began, (await app.get(EndOfDayService).lastClosed()).date, config.demoMonths);
    if (short) logger.warn(`the ledger already holds events, ${short}: an interrupted first start? Keeping them as they are; delete the data directory for a complete demo`);
    else logger.log('the ledger already holds events: keeping them (delete the data directory for a fresh demo)');
    return;
  }
  const clock = app.get(BusinessClock);
  if (clock.mode !== 'manual') {
    logger.warn('demo data needs LEDGER_CLOCK=manual; starting on an empty ledger');
    return;
  }
  // Synthetic history needs no fsync per commit: WAL with NORMAL stays crash-consistent, and durability
  // goes back to what is configured before this function returns.
  const sqlite = store instanceof SqliteEventStore ? store : null;
  await sqlite?.setSynchronous('NORMAL');
  const started = Date.now();
  logger.log(
    `generating a demo portfolio: ${config.demoAccounts} applicants over ${config.demoMonths} months (seed 2026)`,
  );
  const simulator = new PortfolioSimulator(app.get(CommandBus), app.get(AccountRepository), clock);
  const report = await simulator
    .run({
      accounts: config.demoAccounts,
      months: config.demoMonths,
      seed: 2026,
      start: clock.businessDate(),
      onDay: (date, index, total) => {
        if (index % 30 === 0 || index === total) logger.log(`demo: closed ${date} (${index}/${total} days)`);
      },
    })
    .finally(() => sqlite?.setSynchronous(config.sqliteSynchronous));
  logger.log(
    `demo portfolio ready in ${Math.round((Date.now() - started) / 1000)} s: ${report.approved} accounts approved of ${report.applications}, ${report.commands} commands, last closed day ${report.lastClosed}`,
  );
  // Printed at the start too (at warn); again here, where the reader waiting for the demo looks (this run's keys only).
  const keys = app.get(DemoKeys, { strict: false }).keys;
  if (keys) logger.warn(`demo keys for this run: ${Object.entries(keys).map(([role, key]) => `${role} ${key}`).join(', ')}`);
}
