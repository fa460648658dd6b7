/**
 * `ledger verify`: replays every account and checks the whole ledger (see `ledger-verifier.ts`), with a
 * progress bar and a summary. Exit code 0 when clean, 1 on any finding, each finding naming the account,
 * the event and the difference.
 */
import { Command, CommandRunner, Option } from 'nest-commander';
import { verifyLedger, type VerifyReport } from '@ledger/servicing/audit';
import { LedgerFiles } from '../ledger-files';
import { csv, type Format, json, out, parseFormat, progress, table } from '../output';

interface VerifyOptions {
  format: Format;
  readModels: boolean;
}

export function verifyText(r: VerifyReport): string {
  const lines = [
    `${r.ok ? 'OK' : 'FAILED'}: ${r.events} events, ${r.accounts} accounts, ${r.anchorsChecked} anchors checked, ${r.unanchoredEvents} events after the last anchor`,
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
          return await verifyLedger(store, { readModels: readModels ?? undefined, onProgress: (done, total, unit) => bar.update(done, total, unit) });
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

  @Option({ flags: '--no-read-models', description: 'skip comparing the read models with the replay' })
  parseNoReadModels(): boolean {
    return false;
  }
}
