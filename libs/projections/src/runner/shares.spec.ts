import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Money } from '@ledger/credit';
import type { EventStore } from '@ledger/event-store';
import { createProjections } from '../projections/create-projections';
import { dumpEveryTable, readModelFixture } from '../testing/read-model-fixture';
import { simulateRandomPortfolio } from '../testing/random-portfolio';
import { ACCOUNT_STATE_TABLE } from './account-state-fold';
import { type AccountShare, ProjectionRunner } from './projection-runner';
import { mergeShares } from './shares';

describe('a rebuild split by account into shares, then merged', () => {
  let dir: string;
  let store: EventStore;
  let head: bigint;
  let whole: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-shares-'));
    const fixture = readModelFixture();
    store = fixture.store;
    // Disputes, refunds, installments, overdue accounts and month ends: figures that sum over accounts.
    await simulateRandomPortfolio(fixture.sim, { seed: 4242, accounts: 14, lastDate: '2026-04-12' });
    head = await store.headPosition();
    const runner = new ProjectionRunner({ store, database: join(dir, 'whole.sqlite'), projections: createProjections() });
    await runner.rebuild();
    whole = dumpEveryTable(runner.db);
    await runner.close();
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function replayShares(name: string, of: number, until = head): Promise<string[]> {
    const files: string[] = [];
    for (let index = 0; index < of; index++) {
      const file = join(dir, `${name}-${index}.sqlite`);
      const runner = new ProjectionRunner({ store, database: file, projections: createProjections() });
      await runner.replayShare({ index, of } satisfies AccountShare, until);
      await runner.close();
      files.push(file);
    }
    return files;
  }

  it.each([2, 3, 4])('leaves every table as one rebuild does, in %i shares', async (of) => {
    const [first, ...rest] = await replayShares(`split-${of}`, of);
    const target = new Database(first);
    // Each share holds some accounts and not all of them, or the merge would prove nothing.
    const accounts = (file: string) => {
      const db = new Database(file, { readonly: true });
      const count = db.prepare(`SELECT count(*) FROM ${ACCOUNT_STATE_TABLE}`).pluck().get() as number;
      db.close();
      return count;
    };
    expect(accounts(first)).toBeGreaterThan(0);
    expect(accounts(first)).toBeLessThan(14);
    mergeShares(target, rest, createProjections());
    expect(dumpEveryTable(target)).toBe(whole);
    target.close();
  });

  it('adds the figures up in Money, and leaves out a row whose figures cancel out', async () => {
    const [first, second] = await replayShares('cancel', 2);
    const a = new Database(first, { readonly: true });
    const [date, interest, penalty] = a.prepare('SELECT date, interest_delta, penalty_delta FROM accrual_portfolio_delta ORDER BY date LIMIT 1').raw(true).get() as string[];
    const [section, key, count, amount] = a.prepare("SELECT section, key, count, amount FROM portfolio_figures WHERE amount NOT IN ('0', '0.00') LIMIT 1").raw(true).get() as [string, string, number, string];
    a.close();
    const negated = (text: string) => (text.startsWith('-') ? text.slice(1) : `-${text}`);
    const b = new Database(second);
    b.prepare('INSERT OR REPLACE INTO accrual_portfolio_delta VALUES (?, ?, ?)').run(date, negated(interest), negated(penalty));
    // Adds to the first share's row: twice its count, and its amount plus 0.005.
    b.prepare('INSERT OR REPLACE INTO portfolio_figures VALUES (?, ?, ?, ?)').run(section, key, count, '0.005');
    b.close();
    const target = new Database(first);
    mergeShares(target, [second], createProjections());
    expect(target.prepare('SELECT count(*) FROM accrual_portfolio_delta WHERE date = ?').pluck().get(date)).toBe(0);
    const merged = target.prepare('SELECT count, amount FROM portfolio_figures WHERE section = ? AND key = ?').get(section, key);
    expect(merged).toEqual({ count: 2 * count, amount: Money.exact(amount).plus(Money.exact('0.005')).toExactString() });
    target.close();
  });

  it('is a rebuild of one share when there is one', async () => {
    const [only] = await replayShares('one', 1);
    const target = new Database(only);
    mergeShares(target, [], createProjections());
    expect(dumpEveryTable(target)).toBe(whole);
    target.close();
  });

  it('refuses a share replayed to another position, and changes nothing', async () => {
    const [first] = await replayShares('early-a', 2);
    const [, early] = await replayShares('early-b', 2, head - 40n);
    const target = new Database(first);
    const before = dumpEveryTable(target);
    expect(() => mergeShares(target, [early], createProjections())).toThrow(/was not replayed to where the first share was/);
    expect(dumpEveryTable(target)).toBe(before);
    target.close();
  });

  it('refuses a share whose replay did not end', async () => {
    const [first, second] = await replayShares('unfinished', 2);
    const other = new Database(second);
    other.prepare("INSERT INTO projection_replays VALUES ('fold:x', 1, 1, 1, 'p')").run();
    other.close();
    const target = new Database(first);
    expect(() => mergeShares(target, [second], createProjections())).toThrow(/whose replay did not end/);
    target.close();
  });

  it('fails on an account found in two shares, and changes nothing', async () => {
    const [first, second] = await replayShares('twice', 2);
    const target = new Database(first);
    const before = dumpEveryTable(target);
    expect(() => mergeShares(target, [second, second], createProjections())).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(dumpEveryTable(target)).toBe(before);
    target.close();
  });

  it('serves the event loop between batches, and stops where its progress callback throws', async () => {
    // A process of a split rebuild learns that a sibling failed from an event (a child's exit), which
    // only a served event loop delivers; a replay from the embedded store would otherwise never yield.
    let turns = 0;
    const tick = () => {
      turns++;
      immediate = setImmediate(tick);
    };
    let immediate = setImmediate(tick);
    const seen: number[] = [];
    const runner = new ProjectionRunner({ store, database: join(dir, 'stopped.sqlite'), projections: createProjections(), replayBatchAccounts: 1 });
    const sibling = new Error('share 2 of 2 ended with SIGKILL');
    try {
      const replay = runner.replayShare({ index: 0, of: 2 }, head, (done, total, unit) => {
        if (unit !== 'accounts') return;
        seen.push(turns);
        if (done === 3n) throw sibling;
        expect(total).toBeGreaterThan(3n);
      });
      await expect(replay).rejects.toBe(sibling);
    } finally {
      clearImmediate(immediate);
      await runner.close();
    }
    expect(seen).toHaveLength(3);
    // At least one turn of the event loop before each batch's progress.
    expect(seen[0]).toBeGreaterThan(0);
    expect(seen[1]).toBeGreaterThan(seen[0]);
    expect(seen[2]).toBeGreaterThan(seen[1]);
  });
});
