import { MemoryEventStore } from '@ledger/event-store';
import { FixedClock } from '../clock/fixed-clock.testing';
import type { AccountRepository } from '../repository/account-repository';
import { BusinessDayGate } from './business-day-gate';
import type { EndOfDaySchedule } from './end-of-day.service';
import { EndOfDayService } from './end-of-day.service';

describe('EndOfDayService', () => {
  it('joins a close of a date already running instead of visiting its accounts a second time', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const visits: string[] = [];
    const schedule = { catchUp: async () => undefined, accountsDue: async (_date: string, _limit: number, after: string | null) => (after === null ? ['acc-1', 'acc-2'] : []) };
    const repository = {
      execute: async (accountId: string) => {
        visits.push(accountId);
        await held;
        return { events: [] };
      },
    };
    const service = new EndOfDayService(new MemoryEventStore(), repository as unknown as AccountRepository, schedule as unknown as EndOfDaySchedule, new FixedClock('2026-01-06T00:10:00+08:00'));

    const first = service.close('2026-01-05', 'operator:a');
    const second = service.close('2026-01-05', 'operator:b');
    release();
    const [a, b] = await Promise.all([first, second]);

    expect(b).toEqual(a);
    expect(a).toMatchObject({ businessDate: '2026-01-05', accounts: 2, alreadyClosed: false });
    expect(visits).toEqual(['acc-1', 'acc-2']);
    // Once it has ended, the date is closed, not running: asking again reads its report.
    expect(await service.close('2026-01-05', 'operator:a')).toMatchObject({ alreadyClosed: true, position: a.position });
  });

  it('waits for the commands of its day admitted before it, and refuses one of its day that comes while it runs', async () => {
    const store = new MemoryEventStore();
    const gate = new BusinessDayGate(store);
    const steps: string[] = [];
    const schedule = {
      catchUp: async () => void steps.push('schedule caught up'),
      accountsDue: async (_date: string, _limit: number, after: string | null) => (after === null ? ['acc-1'] : []),
    };
    const repository = { execute: async () => ({ events: [] }) };
    const service = new EndOfDayService(store, repository as unknown as AccountRepository, schedule as unknown as EndOfDaySchedule, new FixedClock('2026-01-06T00:10:00+08:00'), 4, gate);
    let release!: () => void;
    const waiting = gate.run('2026-01-05', () => new Promise<void>((resolve) => (release = resolve)).then(() => void steps.push('command of the 5th appended')));
    // A command of the next day, which never finishes here, is not one the close waits for.
    void gate.run('2026-01-06', () => new Promise<void>(() => undefined));

    const closing = service.close('2026-01-05', 'operator:a');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(steps).toEqual([]);
    await expect(gate.run('2026-01-05', async () => steps.push('late command'))).rejects.toMatchObject({ code: 'BUSINESS_DAY_NOT_CLOSED', toClose: '2026-01-05' });
    release();
    await waiting;
    expect(await closing).toMatchObject({ businessDate: '2026-01-05', accounts: 1, alreadyClosed: false });
    expect(steps).toEqual(['command of the 5th appended', 'schedule caught up']);
  });

  it('stops a close still waiting for the commands of its day at once for shutdown, having written nothing', async () => {
    const store = new MemoryEventStore();
    const gate = new BusinessDayGate(store);
    const schedule = { catchUp: async () => undefined, accountsDue: async () => [] };
    const service = new EndOfDayService(store, { execute: async () => ({ events: [] }) } as unknown as AccountRepository, schedule as unknown as EndOfDaySchedule, new FixedClock('2026-01-06T00:10:00+08:00'), 4, gate);
    void gate.run('2026-01-05', () => new Promise<void>(() => undefined));
    const closing = service.close('2026-01-05', 'system:scheduler');
    await new Promise((resolve) => setTimeout(resolve, 10));
    await service.stop();
    await expect(closing).rejects.toMatchObject({ code: 'END_OF_DAY_STOPPED' });
    expect(await service.unfinishedClose()).toBeNull();
  });

  it('names a close begun and not finished, while it runs and after it failed, until the day closes', async () => {
    let fail = true;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const schedule = { catchUp: async () => undefined, accountsDue: async (_date: string, _limit: number, after: string | null) => (after === null ? ['acc-1'] : []) };
    const repository = {
      execute: async () => {
        await held;
        if (fail) throw new Error('the disk is full');
        return { events: [] };
      },
    };
    const service = new EndOfDayService(new MemoryEventStore(), repository as unknown as AccountRepository, schedule as unknown as EndOfDaySchedule, new FixedClock('2026-01-06T00:10:00+08:00'));
    expect(await service.unfinishedClose()).toBeNull();

    const running = service.close('2026-01-05', 'operator:a');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await service.unfinishedClose()).toBe('2026-01-05');
    release();
    await expect(running).rejects.toThrow('the disk is full');
    expect(await service.unfinishedClose()).toBe('2026-01-05');

    fail = false;
    await service.close('2026-01-05', 'operator:a');
    expect(await service.unfinishedClose()).toBeNull();
  });

  it('stops a close under way at a safe point for shutdown: the accounts in hand are finished, no other is taken', async () => {
    const releases: (() => void)[] = [];
    const visited: string[] = [];
    const finished: string[] = [];
    const accounts = Array.from({ length: 10 }, (_, i) => `acc-${i}`);
    const schedule = { catchUp: async () => undefined, accountsDue: async (_date: string, _limit: number, after: string | null) => (after === null ? accounts : []) };
    const repository = {
      execute: async (accountId: string) => {
        visited.push(accountId);
        await new Promise<void>((resolve) => releases.push(resolve));
        finished.push(accountId);
        return { events: [] };
      },
    };
    // Two accounts at a time.
    const service = new EndOfDayService(new MemoryEventStore(), repository as unknown as AccountRepository, schedule as unknown as EndOfDaySchedule, new FixedClock('2026-01-06T00:10:00+08:00'), 2);
    const running = service.close('2026-01-05', 'system:scheduler');
    while (visited.length < 2) await new Promise((resolve) => setTimeout(resolve, 1));
    const stopped = service.stop();
    for (const release of releases) release();
    await expect(running).rejects.toMatchObject({ code: 'END_OF_DAY_STOPPED', message: expect.stringContaining('after 2 accounts') });
    await stopped;
    expect([visited, finished]).toEqual([['acc-0', 'acc-1'], ['acc-0', 'acc-1']]);
    expect(await service.unfinishedClose()).toBe('2026-01-05');
    await expect(service.close('2026-01-05', 'operator:a')).rejects.toMatchObject({ code: 'END_OF_DAY_STOPPED' });
  });

  it('answers alreadyClosed with the day\'s report when another process closed the same day at the same moment', async () => {
    const store = new MemoryEventStore();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const schedule = { catchUp: async () => undefined, accountsDue: async (_date: string, _limit: number, after: string | null) => (after === null ? ['acc-1'] : []) };
    const repository = { execute: async () => (await held, { events: [] }) };
    const process = () => new EndOfDayService(store, repository as unknown as AccountRepository, schedule as unknown as EndOfDaySchedule, new FixedClock('2026-01-06T00:10:00+08:00'));
    const [a, b] = [process().close('2026-01-05', 'operator:a'), process().close('2026-01-05', 'operator:b')];
    release();
    const reports = await Promise.all([a, b]);
    expect(reports.map((r) => r.alreadyClosed).sort()).toEqual([false, true]);
    expect(reports[0].position).toBe(reports[1].position);
    expect((await store.readStream('ledger-business-days')).length).toBe(1);
  });

  it('stops a close still waiting for the read models to catch up at once, not when they have', async () => {
    const schedule = { catchUp: () => new Promise<void>(() => undefined), accountsDue: async () => [] };
    const service = new EndOfDayService(new MemoryEventStore(), {} as AccountRepository, schedule as unknown as EndOfDaySchedule, new FixedClock('2026-01-06T00:10:00+08:00'));
    const running = service.close('2026-01-05', 'system:scheduler');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await service.stop();
    await expect(running).rejects.toMatchObject({ code: 'END_OF_DAY_STOPPED', message: expect.stringContaining('before its first account') });
  });
});
