import { AppendTooLargeError, StoreUnavailableError, StreamDeletedError } from '@ledger/event-store';
import { ProjectionLagTimeoutError } from '@ledger/projections';
import { toErrorResponse } from './errors';

describe('the answer to a store error', () => {
  const unavailable = new StoreUnavailableError('EventStoreDB append to account-a got no answer within 10000 ms');

  it.each(['POST', 'PUT'])('tells a command (%s) that it may have been recorded, and how to retry it once', (method) => {
    const { status, body } = toErrorResponse(unavailable, method);
    expect([status, body.error]).toEqual([503, 'STORE_UNAVAILABLE']);
    expect(body.message).toMatch(/may have been recorded or not; retry it with the same Idempotency-Key, or the same id/);
  });

  it('tells a read only to retry later', () => {
    expect(toErrorResponse(unavailable, 'GET').body).toEqual({ error: 'STORE_UNAVAILABLE', message: 'the event store is unavailable; retry later', details: [] });
  });

  it("answers a stream deleted in the store 410 STREAM_DELETED, naming no stream", () => {
    const { status, body } = toErrorResponse(new StreamDeletedError('account-a'), 'POST');
    expect([status, body.error, body.details]).toEqual([410, 'STREAM_DELETED', []]);
    expect(body.message).not.toContain('account-a');
  });

  it("answers an append over the store's limit 500 APPEND_TOO_LARGE with the limit: the client cannot fix it, an operator must", () => {
    const { status, body } = toErrorResponse(new AppendTooLargeError('account-a', 2_000), 'POST');
    expect([status, body.error, body.details]).toEqual([500, 'APPEND_TOO_LARGE', [{ maxAppendSize: 2_000 }]]);
    expect(body.message).toContain('(2000 bytes); nothing was recorded');
  });
});

describe('the answer when the read models do not catch up in time', () => {
  const timedOut = new ProjectionLagTimeoutError(120n, 80n, 120_000);

  it('tells a read to retry or read eventually', () => {
    expect(toErrorResponse(timedOut, 'GET').body).toMatchObject({ error: 'READ_MODELS_BEHIND', message: expect.stringContaining('consistency=eventual') });
  });

  it('tells an end of day that nothing closed and to look at the projector, not to read eventually', () => {
    const { status, body } = toErrorResponse(timedOut, 'POST');
    expect([status, body.error]).toEqual([503, 'READ_MODELS_BEHIND']);
    expect(body.message).toContain('within 120 s, and end of day reads its accounts from them: nothing was closed. Is the projector');
    expect(body.message).not.toContain('consistency=eventual');
  });
});
