import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import type { QueryBus } from '@nestjs/cqrs';
import { AccountQueriesController } from './account-queries.controller';

/** A socket as the export uses it: a timeout it sets, and destroy. */
class FakeSocket extends EventEmitter {
  timeoutMs = 0;
  destroyed = false;
  setTimeout(ms: number, listener?: () => void): this {
    this.timeoutMs = ms;
    if (listener) this.once('timeout', listener);
    return this;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

async function exportOn(csv: Readable) {
  const socket = new FakeSocket();
  const queries = { execute: async () => ({ asOf: null, csv }) } as unknown as QueryBus;
  await new AccountQueriesController(queries).export({}, { query: {}, raw: { socket } } as never);
  return socket;
}

describe('the CSV export on a client that stops reading', () => {
  it('ends the export and the connection after a minute with no byte moving', async () => {
    const csv = new Readable({ read: () => undefined }); // a client that never reads: nothing ends it
    const socket = await exportOn(csv);
    expect(socket.timeoutMs).toBe(60_000);
    socket.emit('timeout');
    expect([csv.destroyed, socket.destroyed]).toEqual([true, true]);
  });

  it('leaves a keep-alive connection without the timer once the export has ended', async () => {
    const csv = Readable.from(['accountId\r\n']);
    const socket = await exportOn(csv);
    csv.resume();
    await new Promise((resolve) => csv.once('close', resolve));
    expect([socket.timeoutMs, socket.listenerCount('timeout')]).toEqual([0, 0]);
    socket.emit('timeout');
    expect(socket.destroyed).toBe(false);
  });
});
