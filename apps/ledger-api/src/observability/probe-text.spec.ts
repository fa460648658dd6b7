import { probeText } from './probe-text';

describe('probeText: what the open probes say of a failure', () => {
  it.each([
    ['connect ECONNREFUSED 10.0.4.2:2113', 'connect ECONNREFUSED <address>'],
    ['connect ECONNREFUSED ::1:2113', 'connect ECONNREFUSED <address>'],
    ['connect ECONNREFUSED [fd00::4:2]:2113 at 2026-12-07T18:00:00.000Z', 'connect ECONNREFUSED <address> at 2026-12-07T18:00:00.000Z'],
    ['getaddrinfo ENOTFOUND esdb-0.ledger.svc.cluster.local', 'getaddrinfo ENOTFOUND <host>'],
    ['no leader: esdb-1:2113 answered NotLeader', 'no leader: <host> answered NotLeader'],
    ['Failed to discover after 10 attempts: esdb://admin:changeit@esdb.internal:2113?tls=true', 'Failed to discover after 10 attempts: <connection string>'],
    ['commit to /var/lib/ledger/ledger.sqlite failed: SQLITE_FULL: database or disk is full', 'commit to <path> failed: SQLITE_FULL: database or disk is full'],
    ['cannot open C:\\ledger\\data\\ledger.sqlite', 'cannot open <path>'],
    ['commit to data/demo/ledger.sqlite failed: SQLITE_FULL', 'commit to <path> failed: SQLITE_FULL'],
    ['unable to open ./data/ledger.read-models.sqlite', 'unable to open <path>'],
    ['unable to open /ledger.sqlite', 'unable to open <path>'],
    ['getaddrinfo ENOTFOUND esdb-0', 'getaddrinfo ENOTFOUND <host>'],
    ['connect ECONNREFUSED ::ffff:10.0.4.2:2113', 'connect ECONNREFUSED <address>'],
    ['no answer from esdb.prod.example.dev', 'no answer from <host>'],
    ['Failed to discover: esdb://admin:ch@ng;eit@esdb.internal:2113', 'Failed to discover: <connection string>'],
    ['at Database.prepare (node_modules/better-sqlite3/lib/database.js:65)', 'at Database.prepare (<path>:65)'],
  ])('takes out where the ledger runs: %s', (text, said) => {
    expect(probeText(text)).toBe(said);
  });

  it.each([
    'the event store did not answer within 2000 ms',
    'projection balances failed at position 12345: SQLITE_BUSY: database is locked',
    'the read models are ahead of the log at 2026-12-07 10:00:00 (position 1.2.3)',
    'the projections worker has not moved the read models for 30 s at 18:04:05.123',
    'deadline 2026-12-07T18:45:12.000Z passed',
    'balances: version 3 to 4; portfolio 4 to 5',
  ])('leaves the rest of the text as it is: %s', (text) => {
    expect(probeText(text)).toBe(text);
  });

  it('reads no more than the first 2,000 characters of a long text, which patterns that rescanned from every position took seconds over', () => {
    // Each of these took 3 to 43 s over 100 kB before the cut and the bounded patterns.
    for (const text of ['a-'.repeat(50_000), `${'a.'.repeat(50_000)}:0`, `[${':'.repeat(100_000)}`, `${'/a'.repeat(50_000)}`, 'x'.repeat(100_000)]) {
      expect(probeText(text)).toMatch(/\.\.\. \(10000\d characters; the log has them all\)$/);
    }
    expect(probeText(`connect ECONNREFUSED 10.0.4.2:2113 ${'x'.repeat(3_000)}`)).toMatch(/^connect ECONNREFUSED <address> x+\.\.\. \(3035 characters; the log has them all\)$/);
    // An address or a name across the cut is replaced whole, not shown in part.
    for (const tail of [' 10.0.4.2:2113', ' esdb-0.ledger.svc:2113']) {
      const said = probeText(`${'x'.repeat(1_993)}${tail} and more`);
      expect([tail, said.includes('10.0') || said.includes('esdb')]).toEqual([tail, false]);
    }
  });

  it('passes null through', () => {
    expect(probeText(null)).toBeNull();
  });
});
