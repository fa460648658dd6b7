import { GetAccountHandler, GetAccountQuery } from './account.queries';
import type { ReadModels } from './read-models';

/** Read models that say which wait a query asked for, and stop it there. */
function recordingReadModels() {
  const asked: string[] = [];
  const readModels = {
    consistent: async (position?: bigint) => {
      asked.push(`consistent ${position ?? 'head'}`);
      throw new Error('stopped after the wait');
    },
    assertOfThisLogNow: async () => {
      asked.push('at once');
      throw new Error('stopped after the wait');
    },
  };
  return { asked, handler: new GetAccountHandler(readModels as unknown as ReadModels) };
}

describe('the consistency a read waits for', () => {
  it.each([
    [{}, 'consistent head'],
    [{ after: 7n }, 'consistent 7'],
    [{ eventual: true }, 'at once'],
    // A client reading its own write with eventual waits for that write, and no more (it was ignored).
    [{ eventual: true, after: 7n }, 'consistent 7'],
  ])('%o waits as "%s"', async (consistency, expected) => {
    const { asked, handler } = recordingReadModels();
    await expect(handler.execute(new GetAccountQuery('acc-1', consistency))).rejects.toThrow('stopped after the wait');
    expect(asked).toEqual([expected]);
  });
});
