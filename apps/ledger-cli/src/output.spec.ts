/**
 * The CLI's text and CSV output: what an operator reads in a terminal and what a spreadsheet or a script
 * reads from `--format csv`. The CSV is read back here by an RFC 4180 reader, so a cell that would split a
 * row or a column fails the spec rather than a reconciliation later.
 */
import type { AccountHistory } from '@ledger/servicing/audit';
import { CliError, csv, parseFormat } from './output';
import { historyCsv, historyText } from './commands/replay.command';

/** RFC 4180: cells split on commas, rows on CRLF or LF, quoted cells may hold both and double their quotes. */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  row.push(cell);
  rows.push(row);
  return rows;
}

const view = (total: string) => ({
  accountId: 'acc-1',
  status: 'ACTIVE',
  holder: null,
  channel: 'INVITED',
  limit: '5000.00',
  available: (5000 - Number(total)).toFixed(2),
  dailyRate: '0.0005',
  annualRate: '0.1825',
  penaltyDailyRate: '0.00075',
  penaltyAnnualRate: '0.27375',
  owed: { revolvingUnbilled: total, revolvingBilled: '0.00', installmentBilled: '0.00', installmentUnbilled: '0.00', installmentPrincipal: '0.00', interest: '0.00', fees: '0.00', penaltyInterest: '0.00', total },
  overdue: { amount: '0.00', since: null, kind: null, daysPastDue: 0, bucket: 'CURRENT' },
  flags: { frozen: false, suspended: false, paymentLocked: false },
  lastStatementId: null,
  payScore: 700,
  asOf: '2026-01-06',
  rejection: null,
  updatedPosition: '2',
});

const history: AccountHistory = {
  accountId: 'acc-1',
  asOf: null,
  revision: null,
  businessDate: null,
  position: null,
  lastClosedBusinessDay: '2026-01-05',
  nextRevision: null,
  events: [
    { revision: '0', position: '1', eventId: 'e-1', type: 'AccountActivated', recordedAt: '2026-01-05T10:00:00+08:00', businessDate: '2026-01-05', actor: 'system', commandId: 'activate', correlationId: 'req-1', data: { on: '2026-01-05' }, after: view('0.00') },
    {
      revision: '1',
      position: '2',
      eventId: 'e-2',
      type: 'DrawPosted',
      recordedAt: '2026-01-06T10:00:00+08:00',
      businessDate: '2026-01-06',
      actor: 'operator:ops',
      commandId: 'draw:o-1',
      correlationId: 'req-2',
      // A merchant name with a comma, quotes and line breaks: it must stay one cell of one row.
      data: { drawId: 'o-1', amount: '123.45', merchant: 'Cafe "Corner", Shop 1\r\nLevel 2' },
      after: view('123.45'),
    },
  ],
  balances: view('123.45'),
};

describe('CLI output', () => {
  it('writes CSV that an RFC 4180 reader reads back cell for cell, whatever a cell holds', () => {
    const cells = [['plain', 'a,b', 'say "hi"', 'line\nbreak', 'carriage\rreturn', null, undefined, 7, { k: 'v, "w"' }]];
    const rows = readCsv(csv(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'], cells));
    expect(rows).toEqual([
      ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'],
      ['plain', 'a,b', 'say "hi"', 'line\nbreak', 'carriage\rreturn', '', '', '7', '{"k":"v, \\"w\\""}'],
    ]);
  });

  it("writes a replay as CSV: one row per event, every row as wide as the header, the event's data as JSON", () => {
    const rows = readCsv(historyCsv(history));
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.length === rows[0].length)).toBe(true);
    const at = (row: string[], column: string) => row[rows[0].indexOf(column)];
    expect(rows.slice(1).map((r) => [at(r, 'revision'), at(r, 'type'), at(r, 'owedTotal'), at(r, 'available')])).toEqual([
      ['0', 'AccountActivated', '0.00', '5000.00'],
      ['1', 'DrawPosted', '123.45', '4876.55'],
    ]);
    expect(JSON.parse(at(rows[2], 'data'))).toEqual(history.events[1].data);
  });

  it('writes a replay as text: a table of the events, amounts right-aligned in their columns, then the balances', () => {
    const lines = historyText(history).split('\n');
    expect(lines[0]).toBe('account acc-1 as of now (last closed business day 2026-01-05)');
    const header = lines[2];
    const events = lines.slice(3, 5);
    // The owed column starts where its header does and is as wide as its widest cell ("123.45"):
    // amounts are right-aligned in it, so their decimal points line up.
    const start = header.indexOf('owed');
    expect(events.map((l) => l.slice(start, start + '123.45'.length))).toEqual(['  0.00', '123.45']);
    expect(events.map((l) => l.split(/\s+/)[4])).toEqual(['AccountActivated', 'DrawPosted']);
    expect(lines.some((l) => /^figure\s+value$/.test(l))).toBe(true);
    expect(lines.some((l) => /^total owed\s+123\.45$/.test(l))).toBe(true);
    expect(lines.some((l) => /^available\s+4876\.55$/.test(l))).toBe(true);
  });

  it('shows beside the status what stops the account drawing', () => {
    const frozen = { ...view('123.45'), flags: { frozen: true, suspended: false, paymentLocked: true } };
    const lines = historyText({ ...history, events: [{ ...history.events[1], after: frozen }], balances: frozen }).split('\n');
    expect(lines[3]).toMatch(/ DrawPosted\s+ACTIVE frozen locked\s+123\.45 /);
    expect(lines.some((l) => /^status\s+ACTIVE frozen locked$/.test(l))).toBe(true);
    expect(historyText(history)).not.toMatch(/frozen|suspended|locked/);
  });

  it('refuses an unknown --format with the formats it knows', () => {
    expect(parseFormat('csv')).toBe('csv');
    expect(() => parseFormat('xml')).toThrow(new CliError('--format must be one of text, json, csv, got xml'));
  });
});
