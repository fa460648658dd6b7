/**
 * Personal data: after a simulated portfolio (and applications over HTTP with names and ID numbers we
 * know), no clear ID number or name is anywhere in the event store (data and metadata), the read models
 * or the captured logs. Any 18-character string with a valid PRC check character counts as an ID number.
 */
import { join } from 'node:path';
import { CommandBus } from '@nestjs/cqrs';
import Database from 'better-sqlite3';
import { AccountRepository, BusinessClock, isValidPrcIdNumber, PortfolioSimulator } from '@ledger/servicing';
import { idNumber } from '../support/id-numbers';
import { application, startLedger, type TestLedger } from '../support/ledger-app';
import { printFigures } from './support/figures';

jest.setTimeout(120_000);

const SURNAMES = ['王', '李', '张', '刘', '陈'];
const GIVEN = ['伟', '芳', '娜', '敏', '静'];
/** Every full name the simulator can produce, and the ones sent over HTTP. */
const NAMES = [...SURNAMES.flatMap((s) => GIVEN.map((g) => s + g)), '欧阳明月', 'Zhang Wei'];
const ID_CANDIDATE = /(?<![0-9A-Za-z])\d{17}[\dX](?![0-9A-Za-z])/g;

function clearIdNumbers(text: string): string[] {
  // Any well-formed number whatever its birth date: the latest date lets every birth date through.
  return [...text.matchAll(ID_CANDIDATE)].map((m) => m[0]).filter((id) => isValidPrcIdNumber(id, '9999-12-31'));
}

describe('personal data after a simulated portfolio', () => {
  const logs: string[] = [];
  let ledger: TestLedger;

  beforeAll(async () => {
    ledger = await startLedger({ LOG_LEVEL: 'debug' }, { logDestination: { write: (line: string) => void logs.push(line) } });
  });
  afterAll(() => ledger?.close());

  it('stores and logs no clear ID number or name anywhere', async () => {
    const { app, http, dir } = ledger;
    const known = [
      { ...application('1985-03-04', 801), name: '欧阳明月' },
      {
        ...application('1999-12-31', 802),
        name: 'Zhang Wei',
        idNumber: idNumber('1999-12-31', 802).replace(/.$/, 'X'),
      },
      { ...application('1970-01-01', 803), name: '王伟' },
    ];
    for (const body of known)
      await http.post('/applications').send(body);
    const report = await new PortfolioSimulator(
      app.get(CommandBus),
      app.get(AccountRepository),
      app.get(BusinessClock),
    ).run({ accounts: 40, months: 2, seed: 9, start: '2026-01-02' });

    const db = new Database(join(dir, 'ledger.sqlite'), { readonly: true });
    const events = db.prepare('SELECT data, metadata FROM events').all() as {
      data: string;
      metadata: string;
    }[];
    db.close();
    const readModels = new Database(join(dir, 'ledger.read-models.sqlite'), { readonly: true });
    const tables = (
      readModels.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
    ).map((t) => t.name);
    const readModelText = tables
      .map((t) => JSON.stringify(readModels.prepare(`SELECT * FROM "${t}"`).all()))
      .join('\n');
    readModels.close();

    const storeText = events.map((e) => `${e.data}\n${e.metadata}`).join('\n');
    const logText = logs.join('');
    const sources = { 'event store': storeText, 'read models': readModelText, logs: logText };
    for (const [source, text] of Object.entries(sources)) {
      expect({ source, ids: clearIdNumbers(text) }).toEqual({ source, ids: [] });
      expect({ source, names: NAMES.filter((n) => text.includes(n)) }).toEqual({ source, names: [] });
      for (const body of known) expect(text.includes(body.idNumber)).toBe(false);
    }
    // The scan is not vacuous: the masked forms and the keyed hashes are there instead.
    expect(storeText).toMatch(/hmac-sha256:[0-9a-f]{64}/);
    expect(storeText).toContain('欧***');
    expect(logText.length).toBeGreaterThan(0);
    printFigures('personal data', {
      'applications (simulated and over HTTP)': report.applications + known.length,
      'events scanned': events.length,
      'read-model tables scanned': tables.length,
      'log bytes scanned': logText.length,
      'clear ID numbers or names found': 0,
    });
  });
});
