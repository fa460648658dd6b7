#!/usr/bin/env node
/**
 * Online backup of a SQLite ledger file while the ledger keeps running:
 *
 *   node scripts/backup.js [source.sqlite] [destination.sqlite | destination-directory/]
 *   node scripts/backup.js --read-models [read-models.sqlite] [destination]
 *
 * The source defaults to LEDGER_SQLITE_PATH (or ./data/ledger.sqlite), the destination to
 * ./backups/<name>-<UTC timestamp>.sqlite; a destination that is a directory (one that exists, or a path
 * ending in /) gets the same timestamped name inside it, so that one backup never replaces another.
 * The source must be the event log (a file with an `events` table); the read-model file is refused
 * unless `--read-models` says that it is what is meant. SQLite's backup API copies a consistent snapshot
 * page by page while writers go on (a page changed mid-copy restarts the copy of that step), so no stop
 * is needed. The copy is written under a temporary name, checked with `PRAGMA integrity_check`, and only
 * then renamed into place: a destination that exists is always a complete, sound backup, and the
 * temporary file is removed whatever stops the backup (an error, SIGINT, SIGTERM).
 *
 * Prints one JSON line: the destination, its size, and the number of events and the last log position
 * it holds (for read models, the lowest position their projections stand at), so an operator can
 * compare them with `ledger verify` after a restore. Exit code 0 done, 1 failed, 2 a usage error.
 */
const fs = require('node:fs');
const { constants } = require('node:os');
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
 * What the file at `source` is: 'events' for a ledger event log, 'read-models' for the read models; a
 * file that is neither, or not SQLite, is refused before anything is copied.
 */
function kindOf(db, source) {
  let tables;
  try {
    tables = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all());
  } catch (error) {
    throw new Error(`${source} is not a SQLite database (${error.message})`);
  }
  if (tables.has('events')) return 'events';
  if (tables.has('projection_checkpoints')) return 'read-models';
  return null;
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
    const kind = kindOf(db, file);
    if (kind === 'read-models') {
      const row = db.prepare('SELECT COUNT(*) AS projections, MIN(position) AS position FROM projection_checkpoints').get();
      return { readModels: true, projections: row.projections, position: row.position };
    }
    if (kind !== 'events') return { events: null, head: null };
    const row = db.prepare('SELECT COUNT(*) AS events, COALESCE(MAX(position), 0) AS head FROM events').get();
    return { events: row.events, head: row.head };
  } finally {
    db.close();
  }
}

/** The destination file: a directory (one that exists, or a path ending in a separator) gets the default name inside it. */
function destinationFile(source, destination) {
  if (destination === undefined) return defaultDestination(source);
  const isDirectory = /[\\/]$/.test(destination) || (fs.existsSync(destination) && fs.statSync(destination).isDirectory());
  return isDirectory ? path.join(destination, path.basename(defaultDestination(source))) : destination;
}

/** The temporary files of backups under way in this process, removed on a signal (see the command line below). */
const partials = new Set();

async function backup(source, destination, options = {}) {
  if (!fs.existsSync(source)) throw new Error(`no database at ${source}`);
  if (fs.statSync(source).isDirectory()) throw new Error(`${source} is a directory, not a database`);
  const db = new Database(source, { fileMustExist: true });
  let target;
  let temporary;
  try {
    // Before anything is copied: a wrong file is refused at once, not after a full-size copy.
    const kind = kindOf(db, source);
    if (options.readModels) {
      if (kind === 'events') throw new Error(`${source} is the event log, not the read models: leave out --read-models`);
      if (kind !== 'read-models') throw new Error(`${source} holds no read models (no projection_checkpoints table)`);
    } else if (kind === 'read-models') {
      throw new Error(`${source} is the read-model file, not the event log (no events table): back up the log (LEDGER_SQLITE_PATH), or pass --read-models to back up the read models`);
    } else if (kind !== 'events') {
      throw new Error(`${source} is not a ledger event log (no events table)`);
    }
    target = destinationFile(source, destination);
    try {
      fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
    } catch (error) {
      // The default folder is ./backups under the working directory, which a container may not let one write.
      const hint = destination === undefined ? ` (the default, ./backups under ${process.cwd()}): name a destination, such as a folder on the data volume: node scripts/backup.js ${source} /data/backups/` : '';
      throw new Error(`cannot create the folder ${path.dirname(path.resolve(target))}${hint} (${error.code ?? error.message})`);
    }
    if (fs.existsSync(target) && fs.statSync(target).isDirectory()) throw new Error(`${target} is a directory`);
    temporary = `${target}.partial-${process.pid}`;
    partials.add(temporary);
    await db.backup(temporary, { progress: options.progress });
  } catch (error) {
    if (temporary !== undefined) removePartial(temporary);
    throw error;
  } finally {
    db.close();
  }
  try {
    const contents = inspect(temporary);
    fs.renameSync(temporary, target);
    partials.delete(temporary);
    return { source, destination: target, bytes: fs.statSync(target).size, ...contents };
  } catch (error) {
    removePartial(temporary);
    throw error;
  }
}

function removePartial(file) {
  for (const suffix of ['', '-journal', '-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true });
  partials.delete(file);
}

module.exports = { backup, inspect };

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`Usage: node scripts/backup.js [--read-models] [source.sqlite] [destination.sqlite | directory/]

Online backup of a ledger SQLite file while the ledger runs. The source defaults to LEDGER_SQLITE_PATH
(with --read-models, LEDGER_READ_MODEL_PATH), else ./data/ledger.sqlite; the destination to
./backups/<name>-<UTC timestamp>.sqlite under the working directory, and a directory gets that name
inside it. The copy is checked (PRAGMA integrity_check) before it is renamed into place. Prints one JSON
line: destination, bytes, and events and head (read models: projections and position).

Exit codes: 0 done, 1 failed, 2 a usage error. See docs/runbook.md, "Back up".
`);
    process.exit(0);
  }
  const readModels = args.includes('--read-models');
  const positional = args.filter((arg) => arg !== '--read-models');
  const unknown = positional.find((arg) => arg.startsWith('-'));
  if (unknown !== undefined || positional.length > 2) {
    process.stderr.write(`backup: ${unknown !== undefined ? `unknown option ${unknown}` : `unexpected argument ${positional[2]}`}; usage: node scripts/backup.js [--read-models] [source.sqlite] [destination.sqlite | directory/]\n`);
    process.exit(2);
  }
  const [source = readModels ? process.env.LEDGER_READ_MODEL_PATH : process.env.LEDGER_SQLITE_PATH, destination] = positional;
  if (source === undefined && readModels) {
    process.stderr.write('backup: --read-models needs the read-model file (an argument, or LEDGER_READ_MODEL_PATH)\n');
    process.exit(2);
  }
  // Stopped part way, the temporary copy goes: a backup folder holds only complete backups.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      for (const file of [...partials]) removePartial(file);
      process.exit(128 + (constants.signals[signal] ?? 0));
    });
  }
  backup(source ?? './data/ledger.sqlite', destination, { readModels }).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error) => {
      process.stderr.write(`backup failed: ${error.message}\n`);
      process.exit(1);
    },
  );
}
