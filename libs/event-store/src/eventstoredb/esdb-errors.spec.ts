import { StoreUnavailableError } from '../event-store.port';
import { UnknownError } from './esdb-client';
import { isTransient, toPortError } from './esdb-errors';

/** The client's own error classes, as its BatchAppend path builds them (appendToStream/unpackError.js). */
describe('the EventStoreDB error mapping', () => {
  it.each(['Server Is Not Ready', 'Server Is Busy', 'No leader info available in response'])(
    'takes the UnknownError BatchAppend throws for "%s" for a transient fault',
    (message) => {
      const error = new UnknownError(undefined, `Could not recognize ${message}`);
      expect(isTransient(error)).toBe(true);
      expect(toPortError(error, 'append to ledger-1')).toBeInstanceOf(StoreUnavailableError);
    },
  );

  it('leaves other unknown errors as they are', () => {
    for (const error of [
      new UnknownError(),
      new Error('Could not recognize Server Is Not Ready'),
    ]) {
      expect(isTransient(error)).toBe(false);
      expect(toPortError(error, 'append to ledger-1')).toBe(error);
    }
  });

  it('takes access refused (a secure cluster asked without credentials) for the store unavailable, naming what to fix', () => {
    for (const error of [new UnknownError(undefined, 'Could not recognize Access Denied'), Object.assign(new Error('7 PERMISSION_DENIED: Access Denied'), { code: 7 })]) {
      const mapped = toPortError(error, 'append to ledger-1');
      expect(mapped).toBeInstanceOf(StoreUnavailableError);
      expect(mapped.message).toMatch(/^EventStoreDB refused append to ledger-1: access denied \(.*\)\. EVENTSTORE_CONNECTION_STRING needs the credentials of a user that may read \$all/);
    }
  });
});
