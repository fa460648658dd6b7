/**
 * An independent check of the event log after faults, read straight from the SQLite file.
 *
 * Each command's events sit together in its account's stream under one command id. For every such
 * group the audit re-decides the command the test sent against the state folded from the events before
 * it, and requires the stored events to be exactly that decision: a group cut short by a crash (half
 * applied), a command applied twice (a second group with the same id) or an event no command explains
 * all show up here.
 */
import Database from 'better-sqlite3';
import {
  contextAt,
  type CreditAccountCommand,
  type CreditAccountEvent,
  DEFAULT_TERMS_CATALOGUE,
  decide,
  fold,
  initialState,
} from '@ledger/credit';

export interface SentCommand {
  command: CreditAccountCommand;
  /** The business time the ledger decided at (the manual clock's value while the command ran). */
  now: (businessDate: string) => string;
}

export interface LogAudit {
  events: number;
  groups: number;
  /** Commands found more than once in a stream. */
  duplicated: string[];
  /** Groups that are not exactly what their command decides (half-applied or altered). */
  mismatched: string[];
  /** Groups whose command id the test never sent (setup commands are passed as trusted). */
  unexplained: string[];
  /** `${accountId}|${commandId}` of every group found, with its event types. */
  found: Map<string, string[]>;
}

interface Row {
  stream: string;
  type: string;
  data: string;
  metadata: string;
}

const eodCommand = (commandId: string): SentCommand | undefined => {
  const date = /^eod:(\d{4}-\d{2}-\d{2})$/.exec(commandId)?.[1];
  return date
    ? { command: { type: 'CloseBusinessDay', businessDate: date }, now: () => `${date}T23:59:59+08:00` }
    : undefined;
};

export function auditLog(
  databasePath: string,
  sent: Map<string, SentCommand>,
  trusted: Set<string>,
): LogAudit {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  const rows = db
    .prepare(
      "SELECT stream, type, data, metadata FROM events WHERE stream LIKE 'credit-account-%' ORDER BY stream, revision",
    )
    .all() as Row[];
  db.close();
  const audit: LogAudit = {
    events: rows.length,
    groups: 0,
    duplicated: [],
    mismatched: [],
    unexplained: [],
    found: new Map(),
  };
  let i = 0;
  while (i < rows.length) {
    const stream = rows[i].stream;
    const accountId = stream.slice('credit-account-'.length);
    let state = initialState(accountId);
    const history: CreditAccountEvent[] = [];
    while (i < rows.length && rows[i].stream === stream) {
      const meta = JSON.parse(rows[i].metadata) as { commandId: string; businessDate: string };
      const group: CreditAccountEvent[] = [];
      while (
        i < rows.length &&
        rows[i].stream === stream &&
        (JSON.parse(rows[i].metadata) as { commandId: string }).commandId === meta.commandId
      ) {
        group.push({ type: rows[i].type, data: JSON.parse(rows[i].data) } as CreditAccountEvent);
        i++;
      }
      const key = `${accountId}|${meta.commandId}`;
      audit.groups++;
      if (audit.found.has(key)) audit.duplicated.push(key);
      audit.found.set(
        key,
        group.map((e) => e.type),
      );
      const command = sent.get(key) ?? eodCommand(meta.commandId);
      if (command) {
        const expected = decide(
          command.command,
          state,
          contextAt(command.now(meta.businessDate), DEFAULT_TERMS_CATALOGUE, history),
        );
        if (JSON.stringify(expected) !== JSON.stringify(group))
          audit.mismatched.push(
            `${key}: stored ${group.map((e) => e.type).join(',')}, decided ${expected.map((e) => e.type).join(',')}`,
          );
      } else if (!trusted.has(key)) {
        audit.unexplained.push(key);
      }
      state = fold(state, group);
      history.push(...group);
    }
  }
  return audit;
}
