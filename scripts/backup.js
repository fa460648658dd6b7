#!/usr/bin/env node
/**
 * Online backup of a SQLite ledger file while the ledger keeps running:
 *
 *   node scripts/backup.js [source.sqlite] [destination.sqlite]
 *
 * The source defaults to LEDGER_SQLITE_PATH (or ./data/ledger.sqlite), the destination to
 * ./backups/<name>-<UTC timestamp>.sqlite. SQLite's backup API copies a consistent snapshot page by page
 * while writers go on (a page changed mid-copy restarts the copy of that step), so no stop is needed.
 * The copy is written under a temporary name, checked with `PRAGMA integrity_check`, and only then
 * renamed into place: a destination that exists is always a complete, sound backup.
 *
 * Prints one JSON line: the destination, its size, and the number of events and the last log position
 * it holds, so an operator can compare them with `ledger verify` after a restore.
 */
const fs = require('node:fs');
const path = require('node:path');
const Database = require('better-sqlite3');

function timestamp(date = new Date()) {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

function defaultDestination(source) {
  const name = path.basename(source).replace(/\.sqlite$/, '');
  return path.join('backups', `${name}-${timestamp()}.sqlite`);
}

/**
 * Opens a finished copy and says what it holds; throws when SQLite finds it damaged. The copy is switched
 * out of WAL mode first so that it is one self-contained file (the ledger turns WAL on again when it opens it).
 */
function inspect(file) {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('journal_mode = DELETE');
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new Error(`integrity check of ${file} failed: ${integrity}`);
    const hasEvents = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get();
    if (!hasEvents) return { events: null, head: null };
    const row = db.prepare('SELECT COUNT(*) AS events, COALESCE(MAX(position), 0) AS head FROM events').get();
    return { events: row.events, head: row.head };
  } finally {
    db.close();
  }
}

async function backup(source, destination = defaultDestination(source), options = {}) {
  if (!fs.existsSync(source)) throw new Error(`no database at ${source}`);
  fs.mkdirSync(path.dirname(path.resolve(destination)), { recursive: true });
  const temporary = `${destination}.partial-${process.pid}`;
  const db = new Database(source, { fileMustExist: true });
  try {
    await db.backup(temporary, { progress: options.progress });
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  } finally {
    db.close();
  }
  let contents;
  try {
    contents = inspect(temporary);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
  fs.renameSync(temporary, destination);
  return { source, destination, bytes: fs.statSync(destination).size, ...contents };
}

module.exports = { backup, inspect };

if (require.main === module) {
  const [source = process.env.LEDGER_SQLITE_PATH || './data/ledger.sqlite', destination] = process.argv.slice(2);
  backup(source, destination).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error) => {
      process.stderr.write(`backup failed: ${error.message}\n`);
      process.exit(1);
    },
  );
}
