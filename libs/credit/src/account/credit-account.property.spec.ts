// eslint-disable-next-line no-restricted-imports -- this spec asks the engine about hidden classes (see the last property); the domain code stays free of node:
import { setFlagsFromString } from 'node:v8';
import fc from 'fast-check';
import { Dec, Money } from '../money/money';
import { addDays, type IsoDate, lastOfMonth, monthOf } from '../time/local-date';
import { DEFAULT_TERMS_CATALOGUE, type ProductTerms } from '../terms/product-terms';
import { isBalanced, postingsFor } from '../journal/journal';
import { AccountScenario } from '../testing/account-scenario';
import { asStoredBefore6 } from '../testing/state-before-6';
import { type LifeAction, takeAction } from '../testing/life-actions';
import type { AllocationLine, CreditAccountEvent } from './credit-account.events';
import { availableCredit, type CreditAccountState, initialState, totalOwed, zeroBuckets } from './credit-account.state';
import { nextActionDate } from './decide';
import { DomainError } from './domain-error';
import { nextDelinquencyClosing } from './rules/overdue';
import { StoredShard } from './sharded-record';
import { fold } from './evolve';
import { APART_FIELDS, deserializeApart, deserializeLines, deserializeState, serializeApart, serializeLines, serializeState } from './state-codec';

type Action = LifeAction;

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('draw' as const), fen: fc.integer({ min: 1, max: 250_000 }), hour: fc.integer({ min: 0, max: 23 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('repay' as const), percent: fc.integer({ min: 1, max: 100 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('refund' as const), pick: fc.nat(), percent: fc.integer({ min: 1, max: 100 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('convert' as const), pick: fc.nat(), periods: fc.constantFrom(3, 6, 12) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('payoff' as const), pick: fc.nat() }) },
  { weight: 6, arbitrary: fc.constant({ kind: 'skip' as const }) },
);

const life = fc.record({
  payScore: fc.integer({ min: 600, max: 850 }),
  startDay: fc.integer({ min: 0, max: 364 }),
  days: fc.array(fc.array(action, { maxLength: 3 }), { minLength: 20, maxLength: 130 }),
});

/**
 * Half the lives then go quiet for 130 days, nothing repaid, so that a statement goes overdue and passes its
 * 90-day deferral limit, while the statements before it may still carry a remainder.
 */
const longLife = fc
  .tuple(life, fc.boolean())
  .map(([input, quiet]) => (quiet ? { ...input, days: [...input.days, ...Array.from({ length: 130 }, () => [])] } : input));

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/** Runs a random life; refusals (DomainError) write nothing and are part of the game. */
type Life = typeof life extends fc.Arbitrary<infer T> ? T : never;

/** A state written in an older version's shape (`asVersion`) at any point of any life reads as the state it was, and folds on alike. */
function readsAsTaken(asVersion: (state: CreditAccountState) => string): void {
  fc.assert(fc.property(life, fc.nat(), (input, cut) => {
    const { s } = simulate(input);
    const events: CreditAccountEvent[] = s.history;
    const at = cut % (events.length + 1);
    const taken = fold(initialState('acc-p'), events.slice(0, at));
    const read = deserializeState(asVersion(taken));
    expect(serializeState(read)).toBe(serializeState(taken));
    expect(serializeState(fold(read, events.slice(at)))).toBe(serializeState(fold(initialState('acc-p'), events)));
  }), { numRuns: 40 });
}

function simulate(input: Life) {
  const start = addDays('2026-01-01', input.startDay);
  const s = new AccountScenario('acc-p', `${start}T08:00:00+08:00`).open({ payScore: input.payScore });
  const drawIds: string[] = [];
  let counter = 0;
  for (const actions of input.days) {
    const day = s.businessDate;
    for (const a of actions) {
      counter++;
      try {
        takeAction(s, a, counter, drawIds);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
      }
    }
    s.closeDaysThrough(day);
  }
  return { s };
}

/**
 * The independent model of daily interest, worked out from the events alone (PRODUCT.md §4 and §8, and the
 * README's "Penalty interest covers the principal an overdue statement carries"): for each day, the
 * principal that bears the daily rate and the principal that bears the penalty rate at the end of that
 * day, times the rates in force. It keeps its own running figures, never the state's.
 *   - Revolving principal bears interest, billed or not: draws posted, less conversions to installments,
 *     refunds, reversals and repayments (their allocation lines).
 *   - Installment principal bears none until billed, and billed, none until the day after its statement's
 *     due date; then its unpaid part does (lines paying it reduce it).
 *   - Interest, fees and penalty interest never bear interest: lines paying them change nothing here.
 *   - While a statement is overdue (from the day it became overdue until the day it is cured), its unpaid
 *     principal bears the penalty rate (1.5 x the daily rate, capped) instead; from rule revision 2 so does
 *     the principal of every statement before the newest overdue one. Never both rates on the same money.
 *   - Events dated D count for the end of day D (算头不算尾).
 */
function dailyInterestFromEvents(events: readonly CreditAccountEvent[]): Map<IsoDate, { interest: Money; penalty: Money; carried: boolean }> {
  const { penalty: penaltyTerms } = DEFAULT_TERMS_CATALOGUE.current;
  const statements: { id: string; dueDate: IsoDate; revolving: Money; installment: Money; overdue: boolean }[] = [];
  let unbilledRevolving = Money.ZERO;
  let dailyRate = '0';
  let carriedBearsPenalty = false;
  // `carried`: principal of a statement not itself overdue bore the penalty rate that day.
  const daily = new Map<IsoDate, { interest: Money; penalty: Money; carried: boolean }>();
  const endOfDay = (day: IsoDate) => {
    const newestOverdue = statements.map((st) => st.overdue).lastIndexOf(true);
    let normal = unbilledRevolving;
    let penalty = Money.ZERO;
    let carried = false;
    statements.forEach((st, i) => {
      if (st.overdue || (carriedBearsPenalty && i < newestOverdue)) {
        penalty = penalty.plus(st.revolving).plus(st.installment);
        carried ||= !st.overdue && st.revolving.plus(st.installment).isPositive();
      } else normal = normal.plus(st.revolving).plus(day > st.dueDate ? st.installment : Money.ZERO);
    });
    const penaltyRate = Dec.min(new Dec(dailyRate).times(penaltyTerms.multiplier), penaltyTerms.dailyRateCap);
    daily.set(day, { interest: normal.times(dailyRate), penalty: penalty.times(penaltyRate), carried });
  };
  const statement = (id: string) => statements.find((st) => st.id === id)!;
  const pay = (lines: AllocationLine[]) => {
    for (const line of lines) {
      const amount = Money.of(line.amount);
      if (line.target === 'UNBILLED_REVOLVING') unbilledRevolving = unbilledRevolving.minus(amount);
      else if (line.target === 'STATEMENT' && line.component === 'REVOLVING_PRINCIPAL') statement(line.statementId).revolving = statement(line.statementId).revolving.minus(amount);
      else if (line.target === 'STATEMENT' && line.component === 'INSTALLMENT_PRINCIPAL') statement(line.statementId).installment = statement(line.statementId).installment.minus(amount);
    }
  };
  let day: IsoDate | null = null;
  for (const event of events) {
    // Every day before this event's date ended with what the events before it left.
    for (; day !== null && day < event.data.on; day = addDays(day, 1)) endOfDay(day);
    day ??= event.data.on;
    if (event.type === 'ApplicationApproved') {
      dailyRate = event.data.dailyRate;
      carriedBearsPenalty = (event.data.ruleRevision ?? 1) >= 2;
    } else if (event.type === 'CreditLimitReviewed') dailyRate = event.data.newDailyRate;
    else if (event.type === 'DrawPosted') unbilledRevolving = unbilledRevolving.plus(Money.of(event.data.amount));
    else if (event.type === 'InstallmentPlanCreated') unbilledRevolving = unbilledRevolving.minus(Money.of(event.data.principal));
    else if (event.type === 'DrawRefunded' || event.type === 'DrawReversed') pay(event.data.appliedTo);
    else if (event.type === 'RepaymentReceived') pay(event.data.allocation);
    else if (event.type === 'AccountBecameOverdue') statement(event.data.statementId).overdue = true;
    else if (event.type === 'OverdueCured') statement(event.data.statementId).overdue = false;
    else if (event.type === 'StatementIssued') {
      const d = event.data;
      // What the model says was still revolving unbilled is what the statement bills.
      expect(d.revolvingPrincipal).toBe(unbilledRevolving.toString());
      const installment = Money.sum(d.installmentPeriods.map((p) => Money.of(p.principal)));
      statements.push({ id: d.statementId, dueDate: d.dueDate, revolving: unbilledRevolving, installment, overdue: false });
      unbilledRevolving = Money.ZERO;
    }
  }
  if (day !== null) endOfDay(day);
  return daily;
}

const AMOUNT_FIELDS = /^(amount|limit|principal|feePerPeriod|fee|fees|charged|newDraws|refunds|revolvingPrincipal|previousBalance|statementBalance|overdueIncluded|minimumRepayment|returnedToCustomer|feesWaived|feeKept|principalAccelerated|overdueAmount|unpaid|oldLimit|newLimit|owed|singleTransactionLimit)$/;

function postedAmounts(value: unknown, key = ''): string[] {
  if (typeof value === 'string') return AMOUNT_FIELDS.test(key) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap((v) => postedAmounts(v, key));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => postedAmounts(v, k));
  return [];
}

describe('any account life', () => {
  const runs = { numRuns: 60 };

  it('posts every event as a balanced journal entry', () => {
    fc.assert(fc.property(life, (input) => {
      for (const event of simulate(input).s.history) expect(isBalanced(postingsFor(event))).toBe(true);
    }), runs);
  });

  it('never lets a draw take available credit below zero', () => {
    fc.assert(fc.property(life, (input) => {
      const { s } = simulate(input);
      let state = initialState('acc-p');
      for (const event of s.history) {
        state = fold(state, [event]);
        if (event.type === 'DrawPosted') expect(totalOwed(state).lessThanOrEqual(state.limit)).toBe(true);
      }
      expect(availableCredit(s.state).isNegative()).toBe(false);
    }), runs);
  });

  it('charges on each statement the exact sum of the daily accruals, rounded once to within half a fen', () => {
    // Statements charging penalty interest, and those with a day on which an overdue statement's carried
    // principal bore it: the half of the lives that go quiet must have made some, or the model proved little.
    let withPenalty = 0;
    let withCarried = 0;
    fc.assert(fc.property(longLife, (input) => {
      const { s } = simulate(input);
      // Approved under rule revision 3 (README "Rule revisions"): the carried principal bears penalty too.
      expect(s.lastOf('ApplicationApproved').data.ruleRevision).toBe(3);
      const dailyInterest = dailyInterestFromEvents(s.history);
      for (const { data } of s.eventsOf('StatementIssued')) {
        let interest = Money.ZERO;
        let penalty = Money.ZERO;
        let carried = false;
        for (let d = data.periodFrom; d <= data.periodTo; d = addDays(d, 1)) {
          interest = interest.plus(dailyInterest.get(d)?.interest ?? Money.ZERO);
          penalty = penalty.plus(dailyInterest.get(d)?.penalty ?? Money.ZERO);
          carried ||= dailyInterest.get(d)?.carried ?? false;
        }
        if (penalty.isPositive()) withPenalty++;
        if (carried) withCarried++;
        expect(data.interest.exact).toBe(interest.toExactString());
        expect(data.penaltyInterest.exact).toBe(penalty.toExactString());
        const gap = Money.exact(data.interest.exact).minus(Money.of(data.interest.charged));
        expect(gap.value.abs().lessThanOrEqualTo('0.005')).toBe(true);
      }
    }), { ...runs, seed: 20261206 });
    // With this seed: 81 statements charging penalty interest, 12 with a carried day (a few seeds in a
    // hundred make no carried day at all).
    expect(withPenalty).toBeGreaterThan(10);
    expect(withCarried).toBeGreaterThan(0);
  });

  it('replays the same events to the same state, from scratch or from a snapshot', () => {
    fc.assert(fc.property(life, fc.nat(), (input, cut) => {
      const { s } = simulate(input);
      const events: CreditAccountEvent[] = s.history;
      const once = serializeState(fold(initialState('acc-p'), events));
      const twice = serializeState(fold(initialState('acc-p'), events));
      expect(twice).toBe(once);
      const at = cut % (events.length + 1);
      // Frozen, as the repository's cache may hand it out: its stored shards are parsed beside it, never in it.
      const snapshot = deepFreeze(deserializeState(serializeState(fold(initialState('acc-p'), events.slice(0, at)))));
      expect(serializeState(fold(snapshot, events.slice(at)))).toBe(once);
      expect(serializeState(snapshot)).toBe(serializeState(fold(initialState('acc-p'), events.slice(0, at))));
    }), { numRuns: 30 });
  });

  it('writes a state as lines and reads it back lazily, folding on from it and writing it again to the same text', () => {
    fc.assert(fc.property(life, fc.nat(), (input, cut) => {
      const { s } = simulate(input);
      const events: CreditAccountEvent[] = s.history;
      const at = cut % (events.length + 1);
      const taken = fold(initialState('acc-p'), events.slice(0, at));
      const written = serializeLines(taken);
      // No line break inside a line, and every shard the state holds is on one.
      expect([written.head, ...written.shards.map((shard) => shard.text)].some((line) => line.includes('\n'))).toBe(false);
      const reference = serializeState(taken);
      expect(serializeState(written.state)).toBe(reference);
      const asked = new Set<string>();
      const read = deepFreeze(
        deserializeLines(written.head, (field, index) => {
          asked.add(`${field}:${index}`);
          return written.shards.find((shard) => shard.field === field && shard.index === index)?.text;
        }),
      );
      expect(asked.size).toBe(written.shards.length);
      // Read back, nothing is parsed until asked for, and it writes the same lines, shard for shard.
      expect([...read.orders, ...read.draws].every((slot) => !(slot instanceof StoredShard) || slot.parsedEntries() === undefined)).toBe(true);
      expect(serializeLines(read)).toMatchObject({ head: written.head, shards: written.shards });
      expect(serializeState(fold(read, events.slice(at)))).toBe(serializeState(fold(initialState('acc-p'), events)));
    }), { numRuns: 30 });
  });

  it('reads a version 3 snapshot (keyed shard index, unbilled draws not listed) as the state it was taken from', () => {
    const asVersion3 = (state: CreditAccountState): string => {
      const json = asStoredBefore6(JSON.parse(serializeState(state)));
      const keyed = (stored: { $shards: (string | null)[] }) => Object.fromEntries(stored.$shards.flatMap((shard, i) => (shard ? [[`s${i}`, JSON.parse(shard)]] : [])));
      const { unbilledDrawIds: _listed, ...rest } = json;
      return JSON.stringify({ ...rest, orders: keyed(json.orders), draws: keyed(json.draws) });
    };
    readsAsTaken(asVersion3);
  });

  it('writes a state apart from its shards, then only the shards its events changed, and reads it back from them', () => {
    fc.assert(fc.property(life, fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), fc.boolean(), (input, cuts, legacyRows) => {
      const { s } = simulate(input);
      const events: CreditAccountEvent[] = s.history;
      const home = {};
      // The table: the state's text, and its shard rows by record and slot, read as the fold reads them.
      const table = new Map<string, string>();
      const read = new Set<string>();
      const source = {
        one: (field: number, index: number) => {
          read.add(`${field}:${index}`);
          const text = table.get(`${field}:${index}`);
          if (text === undefined) throw new Error(`no shard ${field}:${index}`);
          return text;
        },
        all: () => [...table].map(([key, shardText]) => ({ field: Number(key.split(':')[0]), index: Number(key.split(':')[1]), text: shardText })),
      };
      // A row of the first build that kept shards apart has no slot list: its shards are all read with it.
      const asWritten = (text: string) => (legacyRows ? text.replace(/,"slots":"[0-9a-f]{16}"/g, '') : text);
      let kept = initialState('acc-p');
      let lazyKept: CreditAccountState | undefined;
      let at = 0;
      for (const cut of [...cuts.map((c) => c % (events.length + 1)).sort((a, b) => a - b), events.length]) {
        // `kept` may have been read back without its shards: those the events change are read before
        // the write below replaces their rows (which is what makes reading them late safe).
        read.clear();
        const state = fold(kept, events.slice(at, cut));
        const written = serializeApart(state, home);
        // Only shards the events since the last write changed (or added) are written.
        const touched = new Set<string>();
        for (const field of APART_FIELDS) state[field].forEach((slot, i) => { if (slot !== kept[field][i]) touched.add(`${APART_FIELDS.indexOf(field)}:${i}`); });
        expect(written.shards.map((shard) => `${shard.field}:${shard.index}`).sort()).toEqual([...touched].sort());
        if (kept === lazyKept) for (const shard of written.shards) if (table.has(`${shard.field}:${shard.index}`)) expect(read).toContain(`${shard.field}:${shard.index}`);
        for (const shard of written.shards) table.set(`${shard.field}:${shard.index}`, shard.text);
        const reference = serializeState(fold(initialState('acc-p'), events.slice(0, cut)));
        expect(serializeState(written.state)).toBe(reference);
        // Read back with the same home, a state writes no shard until an event changes one; with another, all of them.
        const readsBeforeRead = read.size;
        const lazy = deserializeApart(asWritten(written.text), source, home);
        expect(read.size).toBe(readsBeforeRead);
        expect(serializeApart(lazy, home).shards).toEqual([]);
        expect(read.size).toBe(readsBeforeRead);
        const whole = deserializeApart(asWritten(written.text), source, home);
        expect(serializeState(whole)).toBe(reference);
        expect(serializeApart(whole, {}).shards).toHaveLength(table.size);
        lazyKept = legacyRows ? undefined : lazy;
        kept = at % 2 === 0 ? written.state : lazy;
        at = cut;
      }
    }), { numRuns: 60 });
  });

  it('reads a version 4 snapshot (every shard parsed, no counts) as the state it was taken from', () => {
    const asVersion4 = (state: CreditAccountState): string => {
      const json = asStoredBefore6(JSON.parse(serializeState(state)));
      const parsed = (stored: { $shards: (string | null)[] }) => stored.$shards.map((shard) => (shard === null ? null : JSON.parse(shard)));
      return JSON.stringify({ ...json, orders: parsed(json.orders), draws: parsed(json.draws) });
    };
    readsAsTaken(asVersion4);
  });

  it('reads a version 5 snapshot (each draw holding its placement and unbilled share) as the state it was taken from', () => {
    readsAsTaken((state) => JSON.stringify(asStoredBefore6(JSON.parse(serializeState(state)))));
  });

  it('never changes a state it folds from: every intermediate state can be frozen', () => {
    // evolve fills in the copy it made for an event; were that copy ever an object the caller holds
    // (the repository's cache, the audit replay's states), folding a deep-frozen state would throw here.
    fc.assert(fc.property(life, (input) => {
      const { s } = simulate(input);
      let state = deepFreeze(initialState('acc-p'));
      for (const event of s.history) state = deepFreeze(fold(state, [event]));
      expect(serializeState(state)).toBe(serializeState(fold(initialState('acc-p'), s.history)));
    }), { numRuns: 30 });
  });

  it('makes every state, statement and quarter of a fold by one literal each: their keys in one order, one hidden class each', () => {
    // Spread copies gave one account's states 20 to 28 V8 hidden classes, which made every copy and every
    // read of a state field slow (see `copyState`). The engine's own map check says whether that came back.
    setFlagsFromString('--allow-natives-syntax');
    const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
    const classes = (objects: object[]) => objects.reduce<object[]>((seen, o) => (seen.some((x) => sameMap(x, o)) ? seen : [...seen, o]), []).length;
    fc.assert(fc.property(life, (input) => {
      const { s } = simulate(input);
      const states: CreditAccountState[] = [];
      let state = initialState('acc-p');
      for (const event of s.history) states.push((state = fold(state, [event])));
      const statements = states.flatMap((st) => st.statements);
      const quarters = states.flatMap((st) => (st.quarter ? [st.quarter] : []));
      const keys = (o: object) => Object.keys(o).join();
      expect(new Set(states.map(keys))).toEqual(new Set([keys(initialState())]));
      expect(new Set(statements.map((st) => keys(st.owed)))).toEqual(new Set(statements.length ? [keys(zeroBuckets())] : []));
      expect(new Set(statements.map(keys)).size).toBeLessThanOrEqual(1);
      expect(new Set(quarters.map(keys)).size).toBeLessThanOrEqual(1);
      // One class each: a spread put back in the handling of one frequent event gave states 2 to 4.
      expect(classes(states.slice(1))).toBeLessThanOrEqual(1);
      expect(classes(statements)).toBeLessThanOrEqual(1);
      expect(classes(statements.map((st) => st.owed))).toBeLessThanOrEqual(1);
      expect(classes(quarters)).toBeLessThanOrEqual(1);
    }), { numRuns: 20 });
  });

  it('keeps every record keyed by ids a hash table, so that a new id makes no hidden class', () => {
    // Copied by spreading, a shard of orders or draws, the repayments or a statement's billed draws got
    // a hidden class of its own for each id ever added to it (a few microseconds each; see `copyRecord`).
    setFlagsFromString('--allow-natives-syntax');
    const fast = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;
    let asked = 0;
    fc.assert(fc.property(life, (input) => {
      const { s } = simulate(input);
      let state = initialState('acc-p');
      const records: object[] = [];
      for (const event of s.history) {
        state = fold(state, [event]);
        for (const shard of [...state.orders, ...state.draws, ...state.repayments]) if (shard !== null) records.push(shard);
        for (const st of state.statements) records.push(st.billedDraws, st.billedPlans);
      }
      asked += records.length;
      expect(records.filter(fast)).toEqual([]);
    }), { numRuns: 20 });
    // A life may have no draw and no statement, but twenty lives between them have many records.
    expect(asked).toBeGreaterThan(100);
  });

  it('names as the next action date the earliest candidate on or after the day asked, as a sorted list of them would', () => {
    // The reference: every candidate listed, those before `after` dropped, the rest sorted.
    const reference = (state: CreditAccountState, after: string, terms: ProductTerms): string | null => {
      if (state.status !== 'ACTIVE') return null;
      const candidates = [lastOfMonth(monthOf(after))];
      for (const s of state.statements) {
        if (!s.dueDatePassed) candidates.push(s.dueDate);
        if (!s.overdue || s.overdue.kind !== 'DEFERRAL_LIMIT_REACHED') candidates.push(addDays(s.dueDate, terms.overdue.maxDeferralDays));
      }
      const delinquency = nextDelinquencyClosing(state, after, terms);
      if (delinquency !== null) candidates.push(delinquency);
      return candidates.filter((c) => c >= after).sort()[0] ?? null;
    };
    const terms = DEFAULT_TERMS_CATALOGUE.current;
    // Answers other than the month's end, by what came first: each kind of candidate must have won.
    const won = { dueDate: 0, deferralEnd: 0, delinquency: 0 };
    // And states with a statement past its deferral limit, whose deferral end is no longer a candidate.
    let pastTheLimit = 0;
    fc.assert(fc.property(longLife, fc.array(fc.integer({ min: -40, max: 120 }), { minLength: 3, maxLength: 3 }), (input, offsets) => {
      let state = initialState('acc-p');
      for (const event of simulate(input).s.history) {
        state = fold(state, [event]);
        for (const offset of [0, ...offsets]) {
          const after = addDays(event.data.on, offset);
          const next = nextActionDate(state, after, terms);
          expect(next).toBe(reference(state, after, terms));
          if (state.statements.some((st) => st.overdue?.kind === 'DEFERRAL_LIMIT_REACHED')) pastTheLimit++;
          if (next === null || next === lastOfMonth(monthOf(after))) continue;
          if (state.statements.some((s) => s.dueDate === next)) won.dueDate++;
          else if (state.statements.some((s) => addDays(s.dueDate, terms.overdue.maxDeferralDays) === next)) won.deferralEnd++;
          else won.delinquency++;
        }
      }
    }), { numRuns: 30, seed: 20261206 });
    expect(won.dueDate).toBeGreaterThan(0);
    expect(won.deferralEnd).toBeGreaterThan(0);
    expect(won.delinquency).toBeGreaterThan(0);
    expect(pastTheLimit).toBeGreaterThan(0);
  });

  it("shows as each statement's new draws the cycle's draws not converted, each converted one off whole", () => {
    // The reference, from the events alone: the draws posted since the last statement, less each one
    // converted in full; a plan closed before it billed a period comes off by its principal only (README).
    let converted = 0;
    fc.assert(fc.property(life, (input) => {
      const { s } = simulate(input);
      let state = initialState('acc-p');
      let cycle = new Map<string, { amount: Money; principal?: Money }>();
      for (const event of s.history) {
        if (event.type === 'DrawPosted') cycle.set(event.data.drawId, { amount: Money.of(event.data.amount) });
        if (event.type === 'InstallmentPlanCreated') cycle.get(event.data.drawId)!.principal = Money.of(event.data.principal);
        if (event.type === 'StatementIssued') {
          let expected = Money.ZERO;
          for (const [drawId, draw] of cycle) {
            if (draw.principal === undefined) expected = expected.plus(draw.amount);
            else if (state.plans[drawId].closed) expected = expected.plus(draw.amount).minus(draw.principal);
            else converted++;
          }
          expect(event.data.newDraws).toBe(expected.toString());
          cycle = new Map();
        }
        state = fold(state, [event]);
      }
    }), { numRuns: 100, seed: 20261206 });
    // Statements with a draw converted in their cycle (22 with this seed), or the property proved little.
    expect(converted).toBeGreaterThan(10);
  });

  it('posts amounts with at most 2 decimals', () => {
    fc.assert(fc.property(life, (input) => {
      for (const event of simulate(input).s.history) {
        for (const amount of postedAmounts(event.data)) expect(amount).toMatch(/^-?\d+\.\d{2}$/);
      }
    }), runs);
  });
});
