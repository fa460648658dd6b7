/**
 * With the system clock, end of day runs by itself: shortly after midnight (Asia/Shanghai) it closes
 * every business day that is over and not yet closed, in order. A missed night (the service was down)
 * is caught up on the next tick. With the manual clock nothing runs by itself: operators close days.
 */
import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { addDays } from '@ledger/credit';
import { BusinessClock } from '../clock/business-clock';
import { EndOfDayError, EndOfDayService } from './end-of-day.service';

const TICK_MS = 60_000;

@Injectable()
export class EndOfDayScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('EndOfDay');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly endOfDay: EndOfDayService,
    private readonly clock: BusinessClock,
  ) {}

  onApplicationBootstrap(): void {
    if (this.clock.mode !== 'system') return;
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
  }

  /**
   * Before any module's shutdown (the store closes in one): a close under way, this scheduler's or an
   * operator's, stops at its next account and ends before the store is closed under it.
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.endOfDay.stop();
    await this.running;
  }

  /** Closes every day that is over and still open; one tick at a time. */
  tick(): Promise<void> {
    this.running ??= this.closeDueDays().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async closeDueDays(): Promise<void> {
    const yesterday = addDays(this.clock.businessDate(), -1);
    const last = await this.endOfDay.lastClosed();
    let next = last.date === null ? await this.endOfDay.firstToClose() : addDays(last.date, 1);
    try {
      while (next <= yesterday) {
        const report = await this.endOfDay.close(next, 'system:scheduler');
        this.logger.log(`closed business day ${next}: ${report.accounts} accounts, ${JSON.stringify(report.counts)}`);
        next = addDays(next, 1);
      }
    } catch (error) {
      if (error instanceof EndOfDayError && error.code === 'END_OF_DAY_STOPPED') this.logger.log(error.message);
      else this.logger.error(`end of day ${next} failed; retrying on the next tick: ${(error as Error).message}`);
    }
  }
}
