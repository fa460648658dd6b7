/**
 * Writes the state text a build folds at several points of one account's life, with the events that
 * lead there, for the test that a later build reads it (`libs/credit/src/account/state-codec.spec.ts`).
 * Run it in a checkout of the build whose text is wanted:
 *
 *   node -r ./scripts/register.js -r tsconfig-paths/register scripts/make-state-text.ts <file>
 *
 * `libs/credit/src/account/testdata/state-v5.json` was written so by commit e3da862 (state version 5).
 * The life touches every place a draw's principal can live: unbilled (repaid in full, in part, refunded),
 * billed on an open statement and on one settled since, in installments, and reversed by a dispute; and
 * repayment references of every kind of key.
 */
import { writeFileSync } from 'node:fs';
import { AccountScenario, fold, initialState, serializeState, STATE_SCHEMA_VERSION } from '@ledger/credit';

const s = new AccountScenario('acc-golden', '2026-01-05T10:00:00+08:00').open();
const points: number[] = [];
const mark = () => points.push(s.history.length);
s.draw('b-first', '120.00');
s.draw('20', '800.00');
s.draw('10', '450.00');
s.repay('r-1', '150.00');
s.execute({ type: 'RefundDraw', drawId: '10', refundId: 'rf-unbilled', amount: '50.00' });
mark(); // unbilled draws: one repaid in full, one in part and refunded in part
s.execute({ type: 'ConvertToInstallments', drawId: '20', periods: 6 });
s.closeDaysThrough('2026-01-31');
mark(); // billed on the January statement, one draw in installments
s.draw('o-feb-1', '300.00');
s.draw('o-feb-2', '75.50');
s.execute({ type: 'RefundDraw', drawId: '10', refundId: 'rf-billed', amount: '100.00' });
s.execute({ type: 'RefundDraw', drawId: '20', refundId: 'rf-plan', amount: '40.00' });
s.execute({ type: 'OpenDispute', disputeId: 'd-1', drawId: 'o-feb-2', reason: 'not recognised' });
s.execute({ type: 'ResolveDispute', disputeId: 'd-1', upheld: true, note: 'fraud' });
mark(); // refunds of a billed draw and of a draw in installments; an unbilled draw reversed
// Repayment references that are array indexes come first among an object's keys, the others in the
// order they were received: the shards of the version that shards them must keep the same order.
for (const reference of ['r-b', '10', 'r-a', '2', '__proto__']) s.repay(reference, '1.00');
// Enough of them that some share a shard (64 shards), where their order within it shows.
for (let i = 1; i <= 24; i++) s.repay(`q-${i}`, '0.10');
s.at('2026-02-08').repay('r-2', '1000.00');
s.closeDaysThrough('2026-02-28');
s.draw('o-mar-1', '60.00');
s.closeDaysThrough('2026-03-31');
mark(); // January settled and dropped: its draws were billed on a statement no longer open
s.draw('o-apr-1', '500.00');
s.closeDaysThrough('2026-05-15');
mark(); // March's statement unpaid past its due date
const states = points.map((at) => ({ at, state: serializeState(fold(initialState('acc-golden'), s.history.slice(0, at))) }));
writeFileSync(process.argv[2], `${JSON.stringify({ stateVersion: STATE_SCHEMA_VERSION, events: s.history, states }, null, 1)}\n`);
