/**
 * Counts, times and logs every account command and every end-of-day run, whoever sends them (HTTP, end
 * of day, the simulator), by wrapping the two places they all pass through: `AccountRepository.execute`
 * and `EndOfDayService.close`. Wrapping the instances here keeps metrics out of the servicing layer,
 * which only exposes the hooks it alone can see (conflict retries, idempotent replays, group commits).
 *
 * A command's log line carries its request id (the correlation id, which the HTTP layer sets to the
 * request's id), the command type, the account id, the business date and the outcome; never the
 * command's payload, which for an application holds the applicant's ID number and name.
 */
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { type CreditAccountCommand, DomainError, toShanghai } from '@ledger/credit';
import { AccountRepository, type CommandMetadata, EndOfDayError, EndOfDayService, EventStoreHooks, type ExecuteResult, IdempotencyKeyReusedError, ShutdownHooks, SIMULATOR_ACTOR } from '@ledger/servicing';
import { LedgerMetrics } from './ledger-metrics';
import { flushLogs } from './logging';

/** Per-account end-of-day commands run by the thousand each night: logged at debug, summed at info. */
const BULK_COMMANDS: ReadonlySet<string> = new Set(['CloseBusinessDay']);

export type CommandOutcome = 'accepted' | 'declined' | 'unchanged' | 'replayed' | 'rejected' | 'failed';

/** A command that was recorded but refused by a rule the customer can see (a declined draw, a rejected application). */
function outcomeOf(result: ExecuteResult): CommandOutcome {
  if (result.replayed) return 'replayed';
  if (result.events.length === 0) return 'unchanged';
  if (result.events.some((e) => e.type.endsWith('Declined') || e.type === 'ApplicationRejected')) return 'declined';
  return 'accepted';
}

function rejectionCode(error: unknown): string | undefined {
  if (error instanceof DomainError) return error.code;
  if (error instanceof IdempotencyKeyReusedError) return error.code;
  return undefined;
}

function businessDateOf(command: CreditAccountCommand, meta: CommandMetadata): string | undefined {
  if (command.type === 'CloseBusinessDay') return command.businessDate;
  return meta.now ? toShanghai(meta.now).date : undefined;
}

/** yyyy-mm-dd as the number yyyymmdd, so a dashboard can show the last closed day from a gauge. */
function dateNumber(date: string): number {
  return Number(date.replace(/-/g, ''));
}

export class LedgerLogger {
  constructor(readonly pino: Logger) {}
}

/** Hands the ledger's stop a way to write out the logs it holds (`ShutdownHooks`). */
@Injectable()
export class LogFlushing {
  constructor(hooks: ShutdownHooks, logger: LedgerLogger) {
    hooks.flushLogs = () => flushLogs(logger.pino);
  }
}

@Injectable()
export class CommandInstrumentation implements OnModuleInit {
  constructor(
    private readonly metrics: LedgerMetrics,
    private readonly logger: LedgerLogger,
    private readonly repository: AccountRepository,
    private readonly endOfDay: EndOfDayService,
    private readonly storeHooks: EventStoreHooks,
  ) {}

  onModuleInit(): void {
    const { metrics } = this;
    this.repository.metrics = {
      onConflictRetry: () => metrics.conflictRetries.inc(),
      onIdempotentReplay: () => metrics.idempotentReplays.inc(),
      onLoad: (found) => metrics.accountCacheLookups.inc({ result: found }),
    };
    metrics.watchAccountCache(() => this.repository.cacheOccupancy());
    this.storeHooks.onGroupCommitted = (appends) => metrics.groupCommits.observe(appends);
    this.storeHooks.onCheckpoint = (run) => {
      metrics.checkpointSeconds.observe(run.durationMs / 1000);
      metrics.walFrames.set({ state: 'in_log' }, run.walFrames);
      metrics.walFrames.set({ state: 'behind' }, run.walFrames - run.checkpointedFrames);
      if (run.restarted) metrics.walRestarts.inc();
    };
    this.storeHooks.onCheckpointerError = (error) => {
      metrics.checkpointerErrors.inc();
      this.logger.pino.warn({ err: error }, 'event log checkpoint failed');
    };
    this.endOfDay.progress = { onProgress: (_date, done) => metrics.endOfDayAccounts.set(done) };
    this.wrapRepository();
    this.wrapEndOfDay();
  }

  private wrapRepository(): void {
    const execute = this.repository.execute.bind(this.repository);
    this.repository.execute = async (accountId, command, meta) => {
      const started = process.hrtime.bigint();
      try {
        const result = await execute(accountId, command, meta);
        this.record(accountId, command, meta, started, outcomeOf(result), undefined, result.events.length);
        return result;
      } catch (error) {
        const code = rejectionCode(error);
        this.record(accountId, command, meta, started, code ? 'rejected' : 'failed', code, 0, code ? undefined : (error as Error));
        throw error;
      }
    };
  }

  private record(accountId: string, command: CreditAccountCommand, meta: CommandMetadata, started: bigint, outcome: CommandOutcome, code: string | undefined, events: number, error?: Error): void {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.metrics.commands.inc({ command: command.type, outcome });
    this.metrics.commandSeconds.observe({ command: command.type }, seconds);
    if (code) this.metrics.rejections.inc({ command: command.type, code });
    if (outcome === 'accepted' || outcome === 'declined') this.metrics.eventsAppended.inc(events);
    const line = {
      reqId: meta.correlationId,
      command: command.type,
      accountId,
      businessDate: businessDateOf(command, meta),
      outcome,
      code,
      events,
      actor: meta.actor,
      durationMs: Math.round(seconds * 1e6) / 1e3,
      ...(error ? { err: { type: error.name, message: error.message } } : {}),
    };
    const message = `${command.type} ${outcome}${code ? ` ${code}` : ''}`;
    if (outcome === 'failed') this.logger.pino.error(line, message);
    else if (BULK_COMMANDS.has(command.type) || meta.actor === SIMULATOR_ACTOR) this.logger.pino.debug(line, message);
    else this.logger.pino.info(line, message);
  }

  private wrapEndOfDay(): void {
    const close = this.endOfDay.close.bind(this.endOfDay);
    this.endOfDay.close = async (date, actor) => {
      const started = process.hrtime.bigint();
      const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
      this.metrics.endOfDayRunning.inc();
      this.metrics.endOfDayAccounts.set(0);
      try {
        const report = await close(date, actor);
        const outcome = report.alreadyClosed ? 'already_closed' : 'closed';
        this.metrics.endOfDaySeconds.observe({ outcome }, seconds());
        if (!report.alreadyClosed) this.metrics.lastClosedDay.set(dateNumber(date));
        this.logger.pino.info({ businessDate: date, outcome, accounts: report.accounts, counts: report.counts, actor, durationMs: Math.round(seconds() * 1000) }, `end of day ${date} ${outcome}`);
        return report;
      } catch (error) {
        // A day that is not over yet or out of order is the caller's mistake, not an incident.
        const outcome = error instanceof EndOfDayError ? 'refused' : 'failed';
        this.metrics.endOfDaySeconds.observe({ outcome }, seconds());
        const line = { businessDate: date, outcome, actor, code: (error as { code?: string }).code, err: { type: (error as Error).name, message: (error as Error).message } };
        if (outcome === 'refused') this.logger.pino.warn(line, `end of day ${date} refused`);
        else this.logger.pino.error(line, `end of day ${date} failed`);
        throw error;
      } finally {
        this.metrics.endOfDayRunning.dec();
      }
    };
  }
}
