/**
 * An end of day that stops part way (here an account's step fails; a crash leaves the same) and is then
 * closed again records the whole day in `BusinessDayClosed`: every account and every event the day
 * appended under `eod:<date>`, including those of the close that stopped, counted once.
 */
import { EventStore } from '@ledger/event-store';
import { AccountRepository } from '@ledger/servicing';
import { draw, openAccount, startLedger, type TestLedger } from '../support/ledger-app';

jest.setTimeout(60_000);

describe('an end of day that stopped part way, closed again', () => {
  let ledger: TestLedger;
  afterAll(() => ledger?.close());

  it('records every account and every event of the day once, those of the first attempt included', async () => {
    ledger = await startLedger({ LEDGER_EOD_CONCURRENCY: '1' });
    const accounts: string[] = [];
    for (let i = 0; i < 6; i++) accounts.push(await openAccount(ledger, '1990-01-01', 300 + i));
    for (const [i, id] of accounts.entries()) await ledger.http.post(`/accounts/${id}/draws`).send(draw(`R-${i}`, '100.00')).expect(201);
    await ledger.closeDays('2026-01-02', '2026-01-30');
    const day = '2026-01-31';
    await ledger.setClock('2026-02-01T00:05:00+08:00');

    // The statement day's fourth account fails: three are done when the close stops.
    const repository = ledger.app.get(AccountRepository);
    const execute = repository.execute.bind(repository);
    let steps = 0;
    const failing = jest.spyOn(repository, 'execute').mockImplementation((accountId, command, meta) => {
      if (command.type === 'CloseBusinessDay' && ++steps === 4) return Promise.reject(new Error('the host went away'));
      return execute(accountId, command, meta);
    });
    expect((await ledger.http.post('/operations/end-of-day').send({ businessDate: day })).status).toBe(500);
    failing.mockRestore();

    const closed = await ledger.http.post('/operations/end-of-day').send({ businessDate: day }).expect(200);
    const store = ledger.app.get(EventStore);
    const dayEvents = (await store.readAll({ maxCount: 1_000_000 })).filter((e) => e.metadata.commandId === `eod:${day}` && e.stream.startsWith('credit-account-'));
    const inLog: Record<string, number> = {};
    for (const e of dayEvents) inLog[e.type] = (inLog[e.type] ?? 0) + 1;
    expect(inLog.StatementIssued).toBe(6);
    expect({ accounts: closed.body.accounts, counts: closed.body.counts }).toEqual({ accounts: 6, counts: inLog });
    // Asked again, the day answers with the same record.
    const again = await ledger.http.post('/operations/end-of-day').send({ businessDate: day }).expect(200);
    expect([again.body.alreadyClosed, again.body.accounts, again.body.counts]).toEqual([true, 6, inLog]);
  });
});
