/**
 * Commands admitted before end of day and still waiting their turn on their account are recorded before
 * the day closes (`BusinessDayGate`). A close that read its accounts while they waited recorded
 * `BusinessDayClosed` first: an account activated on a month end by one of them, with draws of that day,
 * got no statement for the month (its draws went onto the next month's, with a day's interest too many),
 * and `ledger verify` found nothing once the next day had closed.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CommandBus } from '@nestjs/cqrs';
import { ExecuteAccountCommand } from '@ledger/servicing';
import { application, draw, startLedger, type TestLedger } from '../support/ledger-app';

jest.setTimeout(60_000);

/** Declined draws queued on the account before its activation: a close starts while they wait. */
const QUEUED = 300;

describe('end of day with commands of its day still waiting on their account', () => {
  let ledger: TestLedger;
  afterAll(async () => ledger?.close());

  it('records them before the day closes: an account activated on the month end gets its statement', async () => {
    ledger = await startLedger();
    await ledger.setClock('2026-01-31T10:00:00+08:00');
    const applied = await ledger.http.post('/applications').send(application('1990-05-06', 501));
    expect(applied.body.decision).toBe('APPROVED');
    const accountId = applied.body.accountId as string;

    const bus = ledger.app.get(CommandBus);
    const meta = (commandId: string) => ({ actor: 'operator:test', commandId });
    const send = (command: ConstructorParameters<typeof ExecuteAccountCommand>[1], commandId: string) =>
      bus.execute(new ExecuteAccountCommand(accountId, command, meta(commandId))).then(
        () => 'answered',
        (error: { code?: string }) => error.code ?? String(error),
      );
    // Each command is dated when it is sent (31 January), then waits its turn on the account.
    const sent = [
      ...Array.from({ length: QUEUED }, (_, i) => send({ type: 'RequestDraw', ...draw(`EARLY-${i}`, '10.00') }, `draw:EARLY-${i}`)),
      send({ type: 'ActivateAccount', agreementVersion: 'fenfu-2026.1', autoRepayCardLast4: '6222' }, 'activation'),
      ...Array.from({ length: 5 }, (_, i) => send({ type: 'RequestDraw', ...draw(`MONTH-END-${i}`, '100.00') }, `draw:MONTH-END-${i}`)),
    ];
    await ledger.setClock('2026-02-01T00:00:30+08:00');
    const closed = await ledger.http.post('/operations/end-of-day').send({ businessDate: '2026-01-31' });
    expect(closed.status).toBe(200);
    expect(await Promise.all(sent)).toEqual(sent.map(() => 'answered'));

    const db = new Database(join(ledger.dir, 'ledger.sqlite'), { readonly: true });
    const closedAt = (db.prepare("SELECT position FROM events WHERE type = 'BusinessDayClosed'").get() as { position: number }).position;
    const events = db.prepare("SELECT position, type, json_extract(metadata, '$.businessDate') AS date FROM events WHERE stream = ? ORDER BY revision").all(`credit-account-${accountId}`) as { position: number; type: string; date: string }[];
    db.close();
    // Every event of the account dated the 31st is in the log before that day's close, the close's own among them.
    const ofTheDay = events.filter((e) => e.date === '2026-01-31');
    expect(ofTheDay.filter((e) => e.type === 'DrawPosted')).toHaveLength(5);
    expect(ofTheDay.filter((e) => e.position > closedAt)).toEqual([]);
    const { statements } = (await ledger.http.get(`/accounts/${accountId}/statements`).expect(200)).body as { statements: { statementId: string; newDraws: string }[] };
    expect(statements.map((s) => [s.statementId, s.newDraws])).toEqual([['2026-01', '500.00']]);
  });
});
