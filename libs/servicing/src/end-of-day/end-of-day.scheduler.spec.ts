import { FixedClock } from '../clock/fixed-clock.testing';
import type { EndOfDayReport, EndOfDayService } from './end-of-day.service';
import { EndOfDayScheduler } from './end-of-day.scheduler';

function fakeEndOfDay(lastClosed: string | null, firstToClose = '2000-01-01') {
  const closed: string[] = [];
  const service = {
    firstToClose: async () => firstToClose,
    lastClosed: async () => ({ date: closed[closed.length - 1] ?? lastClosed, revision: 'no_stream' as const, data: null, position: 0n }),
    close: async (date: string) => {
      closed.push(date);
      return { businessDate: date, accounts: 0, counts: {} } as unknown as EndOfDayReport;
    },
  };
  return { service: service as unknown as EndOfDayService, closed };
}

describe('the end-of-day scheduler on the system clock', () => {
  it('closes yesterday shortly after midnight', async () => {
    const { service, closed } = fakeEndOfDay('2026-03-09');
    await new EndOfDayScheduler(service, new FixedClock('2026-03-11T00:02:00+08:00')).tick();
    expect(closed).toEqual(['2026-03-10']);
  });

  it('catches up every day missed while the service was down, in order', async () => {
    const { service, closed } = fakeEndOfDay('2026-03-06');
    await new EndOfDayScheduler(service, new FixedClock('2026-03-10T08:00:00+08:00')).tick();
    expect(closed).toEqual(['2026-03-07', '2026-03-08', '2026-03-09']);
  });

  it("starts a ledger that has closed no day at its first business day, not at yesterday", async () => {
    // The ledger's first event is dated 7 March (the service was down since): its days are closed from there.
    const { service, closed } = fakeEndOfDay(null, '2026-03-07');
    await new EndOfDayScheduler(service, new FixedClock('2026-03-10T00:02:00+08:00')).tick();
    expect(closed).toEqual(['2026-03-07', '2026-03-08', '2026-03-09']);
  });

  it('closes nothing while today is still open and yesterday is closed', async () => {
    const { service, closed } = fakeEndOfDay('2026-03-09');
    await new EndOfDayScheduler(service, new FixedClock('2026-03-10T23:59:00+08:00')).tick();
    expect(closed).toEqual([]);
  });

  it('stops the close under way before the modules shut down, so the store is not closed under it', async () => {
    const { service } = fakeEndOfDay('2026-03-09');
    const order: string[] = [];
    let finish!: () => void;
    Object.assign(service, {
      close: () => new Promise((resolve) => (finish = () => resolve({ businessDate: '2026-03-10', accounts: 0, counts: {} }))).finally(() => order.push('close ended')),
      stop: async () => {
        order.push('stop asked');
        finish();
      },
    });
    const scheduler = new EndOfDayScheduler(service, new FixedClock('2026-03-11T00:02:00+08:00'));
    void scheduler.tick();
    await new Promise((resolve) => setTimeout(resolve, 1));
    await scheduler.beforeApplicationShutdown();
    order.push('shutdown may go on');
    expect(order).toEqual(['stop asked', 'close ended', 'shutdown may go on']);
  });
});
