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
  ])('takes out where the ledger runs: %s', (text, said) => {
    expect(probeText(text)).toBe(said);
  });

  it.each([
    'the event store did not answer within 2000 ms',
    'projection balances failed at position 12345: SQLITE_BUSY: database is locked',
    'the read models are ahead of the log at 2026-12-07 10:00:00 (position 1.2.3)',
    'the projections worker has not moved the read models for 30 s at 18:04:05.123',
    'balances: version 3 to 4; portfolio 4 to 5',
  ])('leaves the rest of the text as it is: %s', (text) => {
    expect(probeText(text)).toBe(text);
  });

  it('passes null through', () => {
    expect(probeText(null)).toBeNull();
  });
});
