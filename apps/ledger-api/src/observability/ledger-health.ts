/**
 * The health indicators behind `/health/ready`: the event store answers, and the read models are live
 * and close to the head of the log. A load balancer takes an instance out of rotation while either is
 * false, so no client is sent to an instance that would answer with stale balances or time out.
 */
import { Injectable } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { EventStore } from '@ledger/event-store';
import type { ProjectionLag } from '@ledger/projections';
import { LedgerSettings } from '@ledger/servicing';
import { ReadModels, readModelsOfAnotherBuild } from '../read-side/read-models';
import { followingLog, type ProjectionState, projectionState } from './projection-state';
import { Stopping } from './stopping';
import { LedgerFileDamage } from '../http/errors';

/** A store that has not answered in this long is as good as unreachable for a probe. */
const STORE_TIMEOUT_MS = 3_000;

/**
 * With a separate projector (LEDGER_PROJECTIONS=0), read models behind the head whose checkpoint has not
 * moved for this long: the projector is down or stuck. Its lag alone would take `LEDGER_READY_MAX_LAG`
 * events to show it, while every read waits for it and answers 503.
 */
export const PROJECTOR_STALL_MS = 30_000;

/**
 * A write the store refused (the disk full, the file not writable) makes the instance unready for this
 * long, unless a write succeeds first: long enough for a load balancer to send commands elsewhere, short
 * enough that it comes back to try once the cause is gone (no probe writes, so only traffic can tell).
 */
export const WRITE_FAILURE_UNREADY_MS = 30_000;

export interface StoreProbe {
  reachable: boolean;
  head: bigint | null;
  error: string | null;
}

export interface ProjectionProbe {
  state: ProjectionState;
  ok: boolean;
  running: boolean;
  error: string | null;
  maxLag: number;
  lag: ProjectionLag[];
}

/** What a stalled readiness says of whatever keeps the read models (`who`). */
function notMoved(who: string): string {
  return `the read models are behind the log and ${who} has not moved them for ${PROJECTOR_STALL_MS / 1000} s or more`;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

@Injectable()
export class LedgerHealth {
  /** The slowest checkpoint a probe last saw move (split deployment), and when. */
  private progress: { position: bigint; at: number } | null = null;
  now = () => Date.now();

  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly store: EventStore,
    private readonly readModels: ReadModels,
    private readonly settings: LedgerSettings,
    private readonly stopping: Stopping,
    private readonly damage: LedgerFileDamage,
  ) {}

  async probeStore(): Promise<StoreProbe> {
    try {
      const head = await withTimeout(this.store.headPosition(), STORE_TIMEOUT_MS, 'the event store');
      const failure = this.store.lastWriteFailure();
      const since = failure === undefined ? Infinity : this.now() - failure.at;
      if (since < WRITE_FAILURE_UNREADY_MS) {
        return { reachable: false, head, error: `the last write failed ${Math.round(since / 1000)} s ago and none has succeeded since: ${failure!.message}` };
      }
      return { reachable: true, head, error: null };
    } catch (error) {
      return { reachable: false, head: null, error: (error as Error).message };
    }
  }

  /**
   * With projections in this process, they must be following the log (not stopped by a failed batch, not
   * rebuilding) and within `LEDGER_READY_MAX_LAG` events of the head. With a separate projector
   * (LEDGER_PROJECTIONS=0) the checkpoints it writes are what this process reads, so only the lag counts.
   * With a worker thread (LEDGER_PROJECTIONS=worker) the lag counts, and so does the worker being alive
   * and moving the read models (stalled once behind and still for `PROJECTOR_STALL_MS`).
   */
  async probeProjections(store: StoreProbe): Promise<ProjectionProbe> {
    const runner = this.readModels.runner;
    const enabled = this.settings.config.projections;
    const maxLag = this.settings.config.readyMaxLag;
    const lag = store.head !== null ? await runner.lag(store.head) : [];
    // The lag was computed against a head read before the checkpoints, which may have moved on since:
    // a projection seen past it is looked at again the way reads look (`ReadModels.aheadOfLog`).
    const ahead = lag.some((l) => l.position > l.head) ? await this.readModels.aheadOfLog() : null;
    if (ahead) return { state: 'ahead', ok: false, running: false, error: ahead.message, maxLag, lag };
    const worker = this.readModels.worker;
    if (worker) {
      // LEDGER_PROJECTIONS=worker: a dead worker (until it is started again) or a failing batch is a
      // failure; one alive and failing nothing that does not move the read models (stuck, or stopped) is
      // stalled, as a projector that is down is, however little behind.
      const running = followingLog(runner, worker);
      const failure = worker.failure;
      if (failure !== null) return { state: 'failed', ok: false, running, error: failure, maxLag, lag };
      if (worker.replaying) return { state: 'rebuilding', ok: false, running, error: null, maxLag, lag };
      if (this.stalled(lag)) return { state: 'stalled', ok: false, running, error: notMoved('the projections worker'), maxLag, lag };
      return { ...projectionState(null, lag, maxLag, 'live'), running, error: null, maxLag, lag };
    }
    // Beside a projector, what it found and kept in the shared file: read models that are not this log's.
    const refused = enabled ? undefined : runner.refusal();
    if (refused) return { state: 'failed', ok: false, running: false, error: refused.message, maxLag, lag };
    // Beside a projector of another build (a split upgrade half done): its rows are not this build's to read.
    const foreign = enabled ? [] : runner.foreignVersions();
    if (foreign.length > 0) return { state: 'failed', ok: false, running: false, error: readModelsOfAnotherBuild(foreign), maxLag, lag };
    const error = runner.lastError?.message ?? null;
    const verdict = projectionState(enabled ? runner : null, lag, maxLag, enabled ? 'live' : 'external');
    // Stalled whatever the lag: a projector that is down leaves the read models behind by more and more,
    // and past LEDGER_READY_MAX_LAG `behind` alone would not ask whether it runs at all.
    if (!enabled && this.stalled(lag)) {
      return { state: 'stalled', ok: false, running: false, error: `${notMoved('the projector')}: is it running?`, maxLag, lag };
    }
    return { ...verdict, running: followingLog(runner, undefined), error, maxLag, lag };
  }

  /** Whether the slowest checkpoint is behind the head and has not moved since a probe at least `PROJECTOR_STALL_MS` ago. */
  private stalled(lag: readonly ProjectionLag[]): boolean {
    if (lag.length === 0) return false;
    const slowest = lag.reduce((a, b) => (b.position < a.position ? b : a));
    const now = this.now();
    // Caught up, nothing is waited for: the clock starts when the read models are first seen behind.
    if (slowest.lag === 0n) {
      this.progress = null;
      return false;
    }
    if (this.progress === null || this.progress.position !== slowest.position) {
      this.progress = { position: slowest.position, at: now };
      return false;
    }
    return now - this.progress.at >= PROJECTOR_STALL_MS;
  }

  /** `store`: one look at the store, shared by both indicators of a readiness check. */
  async storeIndicator(store: Promise<StoreProbe> = this.probeStore()): Promise<HealthIndicatorResult> {
    const probe = await store;
    const session = this.indicators.check('store');
    const data = { kind: this.settings.config.store, head: probe.head?.toString() ?? null };
    return probe.reachable ? session.up(data) : session.down({ ...data, error: probe.error });
  }

  async projectionsIndicator(store: Promise<StoreProbe> = this.probeStore()): Promise<HealthIndicatorResult> {
    const probe = await this.probeProjections(await store);
    const session = this.indicators.check('projections');
    const data = {
      state: probe.state,
      maxLag: probe.maxLag,
      error: probe.error,
      lag: Object.fromEntries(probe.lag.map((l) => [l.projection, Number(l.lag)])),
    };
    return probe.ok ? session.up(data) : session.down(data);
  }

  /** Down once a request met a damaged file of the ledger (`LedgerFileDamage`), until a restart. */
  filesIndicator(): HealthIndicatorResult {
    const session = this.indicators.check('files');
    const damaged = this.damagedFiles();
    return damaged === undefined ? session.up() : session.down({ message: damaged });
  }

  /**
   * What the open probes say of a damaged file a request met, or undefined: no path (the probes need no
   * key); the log line `LEDGER_FILE_DAMAGED` names the files and what to do.
   */
  damagedFiles(): string | undefined {
    if (this.damage.code === undefined) return undefined;
    return `a request met a damaged ledger file (${this.damage.code}): the ledger's log names the files and what to do; restart the process once it is repaired`;
  }

  /** The stop signal received and how long the drain has left, or undefined while running. */
  stopState(): { signal: string; drainLeftMs: number } | undefined {
    return this.stopping.state(this.now());
  }

  /** Down from a stop signal on (`LEDGER_SHUTDOWN_DRAIN_MS`): the load balancer should send nothing more here. */
  stoppingIndicator(): HealthIndicatorResult {
    const session = this.indicators.check('stopping');
    const stopping = this.stopState();
    return stopping ? session.down({ ...stopping, message: `${stopping.signal} received: the API stops in ${stopping.drainLeftMs} ms; requests are still served until then` }) : session.up();
  }

  liveIndicator(): HealthIndicatorResult {
    return this.indicators.check('process').up({ uptimeSeconds: Math.round(process.uptime()) });
  }
}
