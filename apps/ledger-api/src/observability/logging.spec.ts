import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createLedgerLogger, flushLogs, logRequest, MAX_LOGGED_PATH } from './logging';

class Lines extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
    done();
  }
}

function exchange(url: string) {
  const req = Object.assign(new EventEmitter(), { method: 'GET', url, originalUrl: url, headers: {} as Record<string, string> });
  const res = Object.assign(new EventEmitter(), {
    statusCode: 200,
    headersSent: false,
    headers: {} as Record<string, string>,
    setHeader(name: string, value: string) {
      this.headers[name] = value;
    },
  });
  return { req, res, pass: () => [req as unknown as IncomingMessage, res as unknown as ServerResponse] as const };
}

describe('logRequest', () => {
  it('logs a probe only when its response fails, and an error there is handled rather than thrown', () => {
    const out = new Lines();
    const { res, pass } = exchange('/health/live');
    logRequest(createLedgerLogger('info', out), ...pass());
    expect(res.listenerCount('error')).toBe(1);
    expect(res.listenerCount('finish') + res.listenerCount('close')).toBe(0);
    expect(() => res.emit('error', new Error('write after end'))).not.toThrow();
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]).toMatchObject({ level: 'error', err: { type: 'Error', message: 'write after end' }, res: { statusCode: null } });
  });

  it('writes one line per request however many of finish, close and error follow, and leaves no listener behind', () => {
    const out = new Lines();
    const { res, pass } = exchange('/accounts');
    logRequest(createLedgerLogger('info', out), ...pass());
    res.headersSent = true;
    res.emit('finish');
    res.emit('close');
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]).toMatchObject({ level: 'info', msg: 'GET /accounts 200', res: { statusCode: 200 } });
    expect(res.listenerCount('error') + res.listenerCount('finish') + res.listenerCount('close')).toBe(0);
  });

  it('names the address and the fingerprint of the key a 401 turned away, never the key', () => {
    const out = new Lines();
    const { req, res, pass } = exchange('/accounts');
    Object.assign(req, { socket: { remoteAddress: '10.1.2.3' } });
    req.headers.authorization = 'Bearer old-operator-key-0123456789';
    logRequest(createLedgerLogger('info', out), ...pass());
    res.statusCode = 401;
    res.headersSent = true;
    res.emit('finish');
    expect(out.lines[0]).toMatchObject({ level: 'warn', remote: '10.1.2.3', keyFingerprint: createHash('sha256').update('old-operator-key-0123456789').digest('hex').slice(0, 8) });
    expect(JSON.stringify(out.lines)).not.toContain('old-operator-key');
  });

  it('masks an ID number in the path, as an account looked up by the customer\'s ID number has it', () => {
    const out = new Lines();
    const urls = [
      '/accounts/110105199005171233',
      '/accounts/11010519900517123X/statements',
      '/accounts/110105900517123',
      '/accounts/acc_3f2a9c41d07e5b6a8c19',
      // Written otherwise, it is masked all the same: percent-encoded, after letters, with separators.
      '/accounts/%3110105199005171233',
      '/accounts/id110105199005171233',
      '/accounts/110105-19900517-1233',
      '/accounts/110105+19900517%2F1233',
      // A name (张三丰), which no id has: never written out.
      '/accounts/%E5%BC%A0%E4%B8%89%E4%B8%B0/history',
    ];
    for (const url of urls) {
      const { res, pass } = exchange(`${url}?consistency=eventual`);
      logRequest(createLedgerLogger('info', out), ...pass());
      res.statusCode = 404;
      res.headersSent = true;
      res.emit('finish');
    }
    expect(out.lines.map((line) => (line.req as { path: string }).path)).toEqual([
      '/accounts/110***********1233',
      '/accounts/110***********123X/statements',
      '/accounts/110********7123',
      '/accounts/acc_3f2a9c41d07e5b6a8c19',
      '/accounts/110***********1233',
      '/accounts/110***********1233',
      '/accounts/110***********1233',
      '/accounts/110***********1233',
      '/accounts/*/history',
    ]);
    expect(JSON.stringify(out.lines)).not.toMatch(/110105199005171233|11010519900517123X|110105900517123|19900517|%E5%BC%A0/);
  });

  it('cuts a long path: every 404 is logged, and a path may be 16 KiB', () => {
    const out = new Lines();
    const { res, pass } = exchange(`/accounts/${'y'.repeat(15_000)}/controls`);
    logRequest(createLedgerLogger('info', out), ...pass());
    res.statusCode = 404;
    res.headersSent = true;
    res.emit('finish');
    const logged = (out.lines[0].req as { path: string }).path;
    expect(logged).toBe(`/accounts/${'y'.repeat(MAX_LOGGED_PATH - 10)}...(15019 characters)`);
    expect(JSON.stringify(out.lines[0]).length).toBeLessThan(3 * MAX_LOGGED_PATH);
  });
});

describe('writing out the logs at the end of a stop', () => {
  it('writes what an asynchronous destination holds at once, as a process about to die by its signal needs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-flush-'));
    const file = join(dir, 'out.log');
    try {
      // pino's default destination: a SonicBoom that writes asynchronously, in batches (on standard
      // output, open from the start; a file opens first).
      const destination = pino.destination({ dest: file, sync: false, minLength: 4096 });
      await new Promise((ready) => destination.once('ready', ready));
      const logger = createLedgerLogger('info', destination);
      logger.info('stopped cleanly in 20 ms');
      expect(readFileSync(file, 'utf8')).toBe('');
      await flushLogs(logger);
      expect(readFileSync(file, 'utf8')).toContain('"msg":"stopped cleanly in 20 ms"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
