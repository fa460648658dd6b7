/**
 * `ledger verify`: replays every account and checks the whole ledger (see `ledger-verifier.ts`), with a
 * progress bar and a summary. Exit code 0 when clean, 1 on any finding, each finding naming the account,
 * the event and the difference. It prints the last anchor, to be kept outside the ledger and given back
 * with `--expect-anchor`: the anchors live in the log they cover, so only a record kept elsewhere shows
 * the log cut back, or rewritten with anchors made anew.
 */
import { Command, CommandRunner, Option } from 'nest-commander';
import { SqliteEventStore } from '@ledger/event-store';
import { type ExpectedAnchor, verifyLedger, type VerifyReport } from '@ledger/servicing/audit';
import { LedgerFiles } from '../ledger-files';
import { CliError, csv, type Format, json, out, parseFormat, progress, table } from '../output';

interface VerifyOptions {
  format: Format;
  readModels: boolean;
  expectAnchor?: ExpectedAnchor[];
}

const EXPECTED_ANCHOR = /^(\d+):([0-9a-f]{64})$/;

/** `--expect-anchor <position>:<hash>`, as `verify` prints the last anchor; repeatable. */
export function parseExpectedAnchor(value: string, previous: ExpectedAnchor[] = []): ExpectedAnchor[] {
  const match = EXPECTED_ANCHOR.exec(value.trim());
  if (!match) throw new CliError(`--expect-anchor takes <position>:<hash> as verify prints the last anchor (a position and 64 hex digits), got ${value}`);
  return [...previous, { position: BigInt(match[1]), hash: match[2] }];
}

export function verifyText(r: VerifyReport): string {
  const lines = [
    `${r.ok ? 'OK' : 'FAILED'}: ${r.events} events, ${r.accounts} accounts, ${r.anchorsChecked} anchors checked, ${r.unanchoredEvents} ${r.unanchoredEvents === 1 ? 'event' : 'events'} after the last anchor`,
    r.lastAnchor
      ? `last anchor: ${r.lastAnchor.position}:${r.lastAnchor.hash} (the log to position ${r.lastAnchor.toPosition}; keep it outside the ledger and give it back with --expect-anchor)`
      : 'no anchor yet',
    ...(r.notChecked
      ? [
          `not checked: the ${r.notChecked.checks.join(', the ')} (sums over every account, compared only where the read models stand where the log was read to: they stood at position ${r.notChecked.readModelsAt}, the log was read to ${r.notChecked.logReadTo}, ${BigInt(r.notChecked.readModelsAt) < BigInt(r.notChecked.logReadTo) ? 'so they were behind it (a projector catching up or stopped, or commands since they last applied)' : 'so the ledger took commands while verify read it'}); run verify again once readiness says the read models follow the log and the ledger is quiet, or with the API stopped after they caught up`,
        ]
      : []),
    '',
    table(['check', 'findings'], Object.entries(r.counts)),
    '',
    table(['ledger account', 'balance'], Object.entries(r.trialBalance)),
  ];
  if (r.findings.length > 0) {
    lines.push('', 'findings:');
    for (const f of r.findings) {
      const where = [f.accountId && `account ${f.accountId}`, f.eventId && `event ${f.eventId} (${f.eventType}, revision ${f.revision}, position ${f.position})`].filter(Boolean).join(', ');
      const difference = f.expected !== null || f.actual !== null ? ` [${f.field ?? ''}: expected ${f.expected}, found ${f.actual}]` : '';
      lines.push(`- ${f.check}: ${where ? `${where}: ` : ''}${f.message}${difference}`);
    }
    if (r.counts.READ_MODEL_MISMATCH > 0) lines.push('', 'read models that differ from the log are rebuilt from it: `ledger rebuild` (the API stopped; `--projection <name>` for one), then verify again');
  }
  return lines.join('\n');
}

@Command({ name: 'verify', description: 'replay every account and verify the whole ledger; exit code 1 on any finding' })
export class VerifyCommand extends CommandRunner {
  constructor(private readonly files: LedgerFiles) {
    super();
  }

  async run(_params: string[], options: VerifyOptions): Promise<void> {
    let checkedReadModels = false;
    const bar = progress('verify');
    try {
      const report = await this.files.withStore(async (store) => {
        // After the log is open: a path that holds no log is the first thing to say.
        const readModels = options.readModels === false ? null : this.files.openReadModels();
        checkedReadModels = readModels !== null;
        try {
          // The snapshots live in the SQLite log's file; EventStoreDB deployments keep none between starts.
          const snapshots = store instanceof SqliteEventStore ? store.snapshotStore() : undefined;
          return await verifyLedger(store, { readModels: readModels ?? undefined, snapshots, expectAnchors: options.expectAnchor, onProgress: (done, total, unit) => bar.update(done, total, unit) });
        } finally {
          readModels?.close();
        }
      });
      bar.stop();
      const format = options.format ?? 'text';
      if (format === 'json') out(json(report));
      else if (format === 'csv') out(csv(['check', 'accountId', 'stream', 'position', 'revision', 'eventId', 'eventType', 'field', 'expected', 'actual', 'message'], report.findings.map((f) => [f.check, f.accountId, f.stream, f.position, f.revision, f.eventId, f.eventType, f.field, f.expected, f.actual, f.message])));
      else out(verifyText(report));
      if (!checkedReadModels) process.stderr.write(options.readModels === false ? 'read models not checked (--no-read-models)\n' : `read models not checked: no read-model file at ${this.files.config.readModelPath}\n`);
      if (!report.ok) process.exitCode = 1;
    } finally {
      bar.stop();
    }
  }

  @Option({ flags: '--format <format>', description: 'text, json or csv (csv lists the findings)', defaultValue: 'text' })
  parseFormat(value: string): Format {
    return parseFormat(value);
  }

  @Option({ flags: '--expect-anchor <position:hash>', description: 'an anchor an earlier verify printed as the last (kept outside the ledger): a finding unless the log still holds it with that hash; repeatable' })
  parseExpectAnchor(value: string, previous?: ExpectedAnchor[]): ExpectedAnchor[] {
    return parseExpectedAnchor(value, previous);
  }

  @Option({ flags: '--no-read-models', description: 'skip comparing the read models with the replay' })
  parseNoReadModels(): boolean {
    return false;
  }
}
