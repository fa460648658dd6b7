/**
 * The baseline: raw better-sqlite3 appends into the ledger's own schema with the same durable settings
 * (WAL, synchronous=FULL) and events of the ledger's size, with no event-store code in between. Every
 * other figure is divided by these, measured in the same run, because only ratios survive a noisy host.
 */
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { openLedgerDatabase } from '../../libs/event-store/src/sqlite/sqlite-schema';
import { main, phaseParams } from '../lib/child';
import { sampleEvent } from '../lib/sample-event';
import { msSince, round } from '../lib/stats';

interface Params {
  dir: string;
  singleCommits: number;
  batchedEvents: number;
}

main(async () => {
  const { dir, singleCommits, batchedEvents } = phaseParams<Params>();
  const db = openLedgerDatabase(join(dir, 'baseline.sqlite'));
  const event = sampleEvent();
  const insert = db.prepare(
    `INSERT INTO events (id, stream, revision, type, schema_version, data, metadata, recorded_at)
     VALUES (?, ?, ?, ?, 1, ?, ?, ?)`,
  );
  const now = Date.now();
  let stream = 0;
  const appendOne = (revision: number) => insert.run(randomUUID(), `s-${stream}`, revision, event.type, event.data, event.metadata, now);
  const single = db.transaction(() => appendOne(0));
  const hundred = db.transaction(() => {
    for (let i = 0; i < 100; i++) appendOne(i);
  });

  let start = process.hrtime.bigint();
  for (let i = 0; i < singleCommits; i++) {
    stream++;
    single.immediate();
  }
  const singlePerSec = singleCommits / (msSince(start) / 1000);

  start = process.hrtime.bigint();
  for (let i = 0; i < batchedEvents / 100; i++) {
    stream++;
    hundred.immediate();
  }
  const batchedPerSec = batchedEvents / (msSince(start) / 1000);

  const select = db.prepare('SELECT position, id, stream, revision, type, data, metadata FROM events ORDER BY position');
  start = process.hrtime.bigint();
  let read = 0;
  for (const row of select.iterate() as Iterable<{ data: string; metadata: string }>) {
    JSON.parse(row.data);
    JSON.parse(row.metadata);
    read++;
  }
  const readPerSec = read / (msSince(start) / 1000);
  db.close();
  return {
    eventBytes: event.data.length + event.metadata.length,
    singleEventCommitsPerSec: round(singlePerSec, 0),
    hundredPerCommitEventsPerSec: round(batchedPerSec, 0),
    readParsedEventsPerSec: round(readPerSec, 0),
  };
});
