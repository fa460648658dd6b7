/**
 * How the API stops on a signal. Nest's own shutdown hooks stop taking connections at once, while a load
 * balancer still routes to the instance until its next failed probe: requests sent in that window are
 * refused. With `LEDGER_SHUTDOWN_DRAIN_MS` the API first drains: readiness answers 503 (`stopping`) and
 * every request is still served for that long, then it stops as Nest would (requests and commands in
 * flight finished, end of day stopped at a safe point, the store closed) and ends by the same signal.
 * A second signal (half a second or more after the first) cuts the drain short; once the drain is over,
 * further signals change nothing while the stop runs.
 */
import { type INestApplication, Injectable, Logger, type OnApplicationShutdown, ShutdownSignal } from '@nestjs/common';
import type { NestApplicationContext } from '@nestjs/core';

/** A signal this soon after the first is the same stop delivered twice, not a second one. */
const SAME_STOP_MS = 500;

@Injectable()
export class Stopping implements OnApplicationShutdown {
  /** The signal that began the stop, and when (ms since the epoch); undefined while running. */
  signal?: string;
  since?: number;
  drainMs = 0;
  private cutShort?: () => void;
  private detach?: () => void;

  /** What readiness says while draining, or undefined while running. */
  state(now = Date.now()): { signal: string; drainLeftMs: number } | undefined {
    if (this.signal === undefined || this.since === undefined) return undefined;
    return { signal: this.signal, drainLeftMs: Math.max(0, this.since + this.drainMs - now) };
  }

  /** Listens for the stop signals Nest listens for; `app.close()` (tests) stops listening too. */
  listen(app: INestApplication, drainMs: number): void {
    this.drainMs = drainMs;
    const logger = new Logger('Ledger');
    const signals = Object.values(ShutdownSignal) as string[];
    const onSignal = (signal: string) => {
      if (this.signal !== undefined) {
        // The same Ctrl-C may arrive twice: from the terminal, and passed on by `npm start`'s parent.
        if (Date.now() - this.since! >= SAME_STOP_MS) this.cutShort?.();
        return;
      }
      this.signal = signal;
      this.since = Date.now();
      void (async () => {
        try {
          if (drainMs > 0) {
            logger.log(`${signal}: draining for ${drainMs} ms before stopping: readiness answers 503, requests are still served (a second signal ends the drain)`);
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, drainMs);
              this.cutShort = () => {
                clearTimeout(timer);
                resolve();
              };
            });
          }
          // Nest's close passes the signal to the shutdown hooks, which log it.
          await (app as unknown as NestApplicationContext).close(signal);
          // Ends by the signal, as Nest's hooks do, so the exit status says what stopped it.
          process.kill(process.pid, signal);
        } catch (error) {
          logger.error(`the stop failed: ${(error as Error).stack ?? String(error)}`);
          process.exit(1);
        }
      })();
    };
    for (const signal of signals) process.on(signal, onSignal);
    this.detach = () => {
      for (const signal of signals) process.removeListener(signal, onSignal);
    };
  }

  onApplicationShutdown(): void {
    this.detach?.();
  }
}
