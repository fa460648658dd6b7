/**
 * Bad input, property-based: every endpoint is sent requests that are wrong in at least one way (wrong
 * types, missing and extra fields, negative, zero, huge and over-precise amounts, invalid dates, unicode,
 * oversized bodies, malformed JSON). Each must get a 4xx with a clear error code, never a 5xx, and the
 * global head position of the log must not move.
 */
import fc from 'fast-check';
import { EventStore } from '@ledger/event-store';
import { application, draw, openAccount, startLedger, type TestLedger } from '../support/ledger-app';
import { printFigures } from './support/figures';

jest.setTimeout(120_000);

type Kind =
  | { kind: 'amount' | 'id' | 'bool' | 'date' | 'datetime' | 'month' | 'last4' | 'idNumber' | 'country' }
  | { kind: 'text'; max: number }
  | { kind: 'enum'; values: unknown[] }
  | { kind: 'int'; min: number; max: number };

const AMOUNT: Kind = { kind: 'amount' };
const ID: Kind = { kind: 'id' };
const BOOL: Kind = { kind: 'bool' };
const text = (max: number): Kind => ({ kind: 'text', max });
const oneOf = (...values: unknown[]): Kind => ({ kind: 'enum', values });
const int = (min: number, max: number): Kind => ({ kind: 'int', min, max });

const WRONG_TYPES = fc.constantFrom<unknown>(
  null,
  [],
  {},
  [1, 2],
  { nested: { deeper: true } },
  12,
  -1,
  0,
  1.5,
  1e21,
  true,
  false,
);
const UNICODE = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });

/** Values that are never acceptable for a field of this kind. */
function badValue(field: Kind): fc.Arbitrary<unknown> {
  const notString = WRONG_TYPES.filter((v) => typeof v !== 'string');
  switch (field.kind) {
    case 'amount':
      return fc.oneof(
        notString,
        fc.constantFrom(
          '-1.00',
          '0',
          '0.00',
          '00.00',
          '1.001',
          '0.009',
          '12345678901.00',
          '99999999999',
          '1e3',
          ' 1.00',
          '1.00 ',
          '１００',
          'NaN',
          'Infinity',
          '',
          '1,000.00',
          '+5.00',
          '.5',
          '5.',
        ),
        fc
          .tuple(fc.nat({ max: 99999 }), fc.stringMatching(/^\d{3,12}$/))
          .map(([whole, fraction]) => `${whole}.${fraction}`),
        fc.bigInt({ min: 10n ** 10n, max: 10n ** 30n }).map((n) => `${n}.00`),
        fc.integer({ min: -1_000_000, max: -1 }).map((n) => `${n}.00`),
        UNICODE.filter((s) => !/^\d{1,10}(\.\d{1,2})?$/.test(s)),
      );
    case 'id':
      return fc.oneof(
        notString,
        fc.constantFrom('', ' ', 'x'.repeat(65), '-lead', 'a b', 'ord/1', '订单-1', 'a\u0000b'),
        UNICODE.filter((s) => !/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(s)),
      );
    case 'text':
      return fc.oneof(
        notString,
        fc
          .string({ minLength: field.max + 1, maxLength: field.max + 40 })
          .filter((s) => s.length > field.max),
      );
    case 'enum':
      return fc.oneof(WRONG_TYPES, UNICODE).filter((v) => !field.values.includes(v));
    case 'bool':
      return fc.oneof(
        WRONG_TYPES.filter((v) => typeof v !== 'boolean'),
        fc.constantFrom('true', 'false', '1', 'yes'),
      );
    case 'int':
      return fc.oneof(
        fc.constantFrom<unknown>(
          field.min - 1,
          field.max + 1,
          1.5,
          2.0000001,
          -0.5,
          1e12,
          Number.MAX_SAFE_INTEGER + 2,
          String(field.min),
          null,
          [],
          {},
          true,
        ),
        fc.integer().filter((n) => n < field.min || n > field.max),
      );
    case 'date':
      return fc.oneof(
        notString,
        fc.constantFrom(
          '2026-13-01',
          '2026-02-30',
          '2026-00-10',
          '2026-1-5',
          '20260105',
          'yesterday',
          '2026-01-05T00:00:00',
          '',
        ),
        UNICODE,
      );
    case 'datetime':
      return fc.oneof(
        notString,
        fc.constantFrom('2026-01-05T10:00+0800', '2026-01-05', 'now', '2026-01-05T10:00:00', '2026-01-05T25:00:00+08:00', '2026-13-01T00:00:00+08:00', '2026-02-30T10:00:00Z'),
        UNICODE,
      );
    case 'month':
      return fc.constantFrom('2026-13', '2026-00', '26-01', '2026-1', 'January', '２０２６-01');
    case 'last4':
      return fc.oneof(notString, fc.constantFrom('622', '62222', 'abcd', '６２２２', ''));
    case 'idNumber':
      return fc.oneof(
        notString,
        fc.constantFrom(
          '110105198807211231',
          '11010519880721123',
          '1101051988072112311',
          '11010519880721123Y',
          '',
        ),
        UNICODE,
      );
    case 'country':
      return fc.oneof(notString, fc.constantFrom('cn', 'CHN', 'C', '中国', ''));
  }
}

interface Endpoint {
  name: string;
  method: 'post' | 'put';
  path: () => string;
  valid: () => Record<string, unknown>;
  fields: Record<string, Kind>;
  /** Fields that may be left out. */
  optional?: string[];
  /** Fields for which null is a valid value. */
  nullable?: string[];
}

type Mutation =
  | { type: 'field'; field: string; value: unknown }
  | { type: 'missing'; field: string }
  | { type: 'extra'; key: string; value: unknown }
  | { type: 'raw'; body: string }
  | { type: 'notObject'; body: unknown }
  | { type: 'oversized' };

function mutation(endpoint: Endpoint): fc.Arbitrary<Mutation> {
  const names = Object.keys(endpoint.fields);
  const required = names.filter((n) => !endpoint.optional?.includes(n));
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constantFrom(...names).chain((field) =>
        badValue(endpoint.fields[field])
          .filter((v) => v !== null || !endpoint.nullable?.includes(field))
          .map((value): Mutation => ({ type: 'field', field, value })),
      ),
    },
    ...(required.length
      ? [
          {
            weight: 1,
            arbitrary: fc
              .constantFrom(...required)
              .map((field): Mutation => ({ type: 'missing', field })),
          },
        ]
      : []),
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !names.includes(k) && k !== '__proto__'),
          WRONG_TYPES,
        )
        .map(([key, value]): Mutation => ({ type: 'extra', key, value })),
    },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          fc.constantFrom(
            '{',
            '{"amount":',
            "{'a':1}",
            '{"a":1,}',
            'null x',
            '[1,2',
            '\u0000',
            '{"a":"\\x"}',
          ),
          fc.string({ maxLength: 30 }).filter((s) => !isJson(s)),
        )
        .map((body): Mutation => ({ type: 'raw', body })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom<unknown>([], [1], 'text', 12, true)
        .map((body): Mutation => ({ type: 'notObject', body })),
    },
    { weight: 1, arbitrary: fc.constant<Mutation>({ type: 'oversized' }) },
  );
}


function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('every endpoint under a property-based fuzz of bad input', () => {
  let ledger: TestLedger;
  let account: string;
  let store: EventStore;
  const figures = { requests: 0, statuses: new Map<number, number>() };

  beforeAll(async () => {
    ledger = await startLedger();
    account = await openAccount(ledger, '1987-09-10', 701);
    await ledger.http.post(`/accounts/${account}/draws`).send(draw('FUZZ-D1', '500.00')).expect(201);
    store = ledger.app.get(EventStore);
  });
  afterAll(async () => ledger.close());

  async function expectRefused(
    send: () => Promise<{ status: number; body: { error?: unknown; message?: unknown } }>,
    what: unknown,
  ): Promise<void> {
    const head = await store.headPosition();
    const res = await send();
    figures.requests++;
    figures.statuses.set(res.status, (figures.statuses.get(res.status) ?? 0) + 1);
    const clear =
      typeof res.body.error === 'string' &&
      /^[A-Z][A-Z0-9_]+$/.test(res.body.error) &&
      typeof res.body.message === 'string';
    if (res.status < 400 || res.status >= 500 || !clear)
      throw new Error(`${res.status} ${JSON.stringify(res.body)} for ${JSON.stringify(what)}`);
    const after = await store.headPosition();
    if (after !== head) throw new Error(`appended ${after - head} events for ${JSON.stringify(what)}`);
  }

  const endpoints: Endpoint[] = [
    {
      name: 'POST /applications',
      method: 'post',
      path: () => '/applications',
      valid: () => application('1990-01-01', 702),
      fields: {
        idNumber: { kind: 'idNumber' },
        name: text(50),
        nationality: { kind: 'country' },
        channel: oneOf('INVITED', 'CUSTOMER_SERVICE'),
        payScore: int(0, 1000),
        paymentsLast6Months: int(0, 1_000_000),
        identityVerified: oneOf(),
        creditRecord: oneOf(),
      },
    },
    {
      name: 'POST activation',
      method: 'post',
      path: () => `/accounts/${account}/activation`,
      valid: () => ({ agreementVersion: 'fenfu-2026.1', autoRepayCardLast4: '6222' }),
      fields: { agreementVersion: text(32), autoRepayCardLast4: { kind: 'last4' } },
    },
    {
      name: 'POST draws',
      method: 'post',
      path: () => `/accounts/${account}/draws`,
      valid: () => draw('FUZZ-NEW', '10.00'),
      fields: { orderId: ID, merchant: text(100), amount: AMOUNT, authentication: oneOf() },
    },
    {
      name: 'POST refunds',
      method: 'post',
      path: () => `/accounts/${account}/draws/FUZZ-D1/refunds`,
      valid: () => ({ refundId: 'RF-FUZZ', amount: '1.00' }),
      fields: { refundId: ID, amount: AMOUNT },
    },
    {
      name: 'POST installments',
      method: 'post',
      path: () => `/accounts/${account}/draws/FUZZ-D1/installments`,
      valid: () => ({ periods: 3 }),
      fields: { periods: int(1, 60) },
    },
    {
      name: 'POST repayments',
      method: 'post',
      path: () => `/accounts/${account}/repayments`,
      valid: () => ({ reference: 'PAY-FUZZ', amount: '1.00', channel: 'MANUAL' }),
      fields: { reference: ID, amount: AMOUNT, channel: oneOf('MANUAL', 'AUTO_DEBIT') },
    },
    {
      name: 'POST auto-debit-failures',
      method: 'post',
      path: () => `/accounts/${account}/auto-debit-failures`,
      valid: () => ({ statementId: '2026-01', reason: 'INSUFFICIENT_FUNDS' }),
      fields: { statementId: { kind: 'month' }, reason: text(100) },
    },
    {
      name: 'PUT controls',
      method: 'put',
      path: () => `/accounts/${account}/controls`,
      valid: () => ({ singleTransactionLimit: '500.00', nightLock: false }),
      fields: { singleTransactionLimit: AMOUNT, nightLock: BOOL },
      nullable: ['singleTransactionLimit'],
    },
    {
      name: 'POST pay-score',
      method: 'post',
      path: () => `/accounts/${account}/pay-score`,
      valid: () => ({ payScore: 700 }),
      fields: { payScore: int(0, 1000) },
    },
    {
      name: 'POST risk-suspension',
      method: 'post',
      path: () => `/accounts/${account}/risk-suspension`,
      valid: () => ({ reason: 'OTHER', note: 'fuzz' }),
      fields: { reason: oneOf('REMOTE_LOGIN', 'HIGH_FREQUENCY_SPENDING', 'OTHER'), note: text(500) },
    },
    {
      name: 'POST payment-unlock',
      method: 'post',
      path: () => `/accounts/${account}/payment-unlock`,
      valid: () => ({ faceVerified: true }),
      fields: { faceVerified: BOOL },
    },
    {
      name: 'POST disputes',
      method: 'post',
      path: () => `/accounts/${account}/disputes`,
      valid: () => ({ disputeId: 'DSP-FUZZ', drawId: 'FUZZ-D1', reason: 'stolen' }),
      fields: { disputeId: ID, drawId: ID, reason: text(500) },
    },
    {
      name: 'POST dispute resolution',
      method: 'post',
      path: () => `/accounts/${account}/disputes/DSP-NONE/resolution`,
      valid: () => ({ upheld: true, note: 'ok' }),
      fields: { upheld: BOOL, note: text(500) },
    },
    {
      name: 'PUT clock',
      method: 'put',
      path: () => '/operations/clock',
      valid: () => ({ now: '2026-01-03T09:00:00+08:00' }),
      fields: { now: { kind: 'datetime' } },
    },
    {
      name: 'POST end-of-day',
      method: 'post',
      path: () => '/operations/end-of-day',
      valid: () => ({ businessDate: '2026-01-02' }),
      fields: { businessDate: { kind: 'date' } },
    },
  ];

  it.each(endpoints.map((e) => [e.name, e] as const))(
    '%s refuses every bad body with a 4xx and a code, and appends nothing',
    async (_name, endpoint) => {
      await fc.assert(
        fc.asyncProperty(mutation(endpoint), async (m) => {
          const body: Record<string, unknown> = endpoint.valid();
          const request = ledger.http[endpoint.method](endpoint.path());
          if (m.type === 'raw')
            return expectRefused(() => request.set('Content-Type', 'application/json').send(m.body), m);
          if (m.type === 'notObject')
            return expectRefused(
              () => request.set('Content-Type', 'application/json').send(JSON.stringify(m.body)),
              m,
            );
          if (m.type === 'oversized')
            return expectRefused(() => request.send({ ...body, padding: 'x'.repeat(70_000) }), 'oversized');
          if (m.type === 'field') body[m.field] = m.value;
          if (m.type === 'missing') delete body[m.field];
          if (m.type === 'extra') body[m.key] = m.value;
          return expectRefused(() => request.send(body), m);
        }),
        { numRuns: 50, seed: Number(process.env.RELIABILITY_SEED ?? 20260109) },
      );
    },
  );

  // Inputs the fuzz once found answered 500; each is now refused with a 4xx and a code.
  describe('inputs that once answered 500', () => {
    it('refuses a draw without its authentication object', async () => {
      const { authentication: _left, ...body } = draw('FUZZ-NOAUTH', '10.00');
      await expectRefused(
        () => ledger.http.post(`/accounts/${account}/draws`).send(body),
        'no authentication',
      );
    });

    it('refuses an application without its identityVerified object', async () => {
      const { identityVerified: _left, ...body } = application('1990-01-01', 703);
      await expectRefused(() => ledger.http.post('/applications').send(body), 'no identityVerified');
    });

    it('refuses a clock set to an hour 25', async () => {
      await expectRefused(
        () => ledger.http.put('/operations/clock').send({ now: '2026-01-05T25:00:00+08:00' }),
        'hour 25',
      );
    });

    it('refuses a history as of month 13', async () => {
      await expectRefused(
        () => ledger.http.get(`/accounts/${account}/history?asOf=2026-13-01T00:00:00%2B08:00`),
        'month 13',
      );
    });
  });

  it('refuses bad query strings and path parameters on the reads with a 4xx and a code', async () => {
    const reads = fc.oneof(
      fc
        .tuple(badValue({ kind: 'date' }), fc.constant('2026-01-31'))
        .map(
          ([from, to]) => `/accounts/${account}/accruals?from=${encodeURIComponent(String(from))}&to=${to}`,
        ),
      fc
        .tuple(badValue(AMOUNT), fc.constantFrom('3', '6'))
        .map(
          ([amount, periods]) =>
            `/accounts/${account}/installment-quote?amount=${encodeURIComponent(String(amount))}&periods=${periods}`,
        ),
      badValue(int(1, 60)).map(
        (periods) =>
          `/accounts/${account}/installment-quote?amount=600.00&periods=${encodeURIComponent(String(periods))}`,
      ),
      // In a query string every value is text, so the in-range integer that is a wrong type in a body is valid here.
      badValue(int(1, 500))
        .filter((limit) => !/^\d+$/.test(String(limit)) || Number(limit) < 1 || Number(limit) > 500)
        .map((limit) => `/accounts?limit=${encodeURIComponent(String(limit))}`),
      badValue(oneOf('APPROVED', 'ACTIVE', 'REJECTED', 'CLOSED')).map(
        (status) => `/accounts?status=${encodeURIComponent(String(status))}`,
      ),
      badValue({ kind: 'month' }).map(
        (month) => `/accounts/${account}/statements/${encodeURIComponent(String(month))}`,
      ),
      // asOf may be a plain date as well as a date-time.
      badValue({ kind: 'datetime' })
        .filter((asOf) => typeof asOf !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(asOf))
        .map((asOf) => `/accounts/${account}/history?asOf=${encodeURIComponent(String(asOf))}`),
      // A revision: not a non-negative integer (400), or one the stream does not have (404).
      fc
        .oneof(
          fc.constantFrom('-1', '1.5', 'abc', '', ' 1', '+1', '1e3', '0x10', '９', '1234567890123456', '99999999999999999999'),
          fc.integer({ min: -1_000_000, max: -1 }).map(String),
          fc.integer({ min: 1_000, max: 1_000_000_000 }).map(String),
        )
        .map((revision) => `/accounts/${account}/history?revision=${encodeURIComponent(revision)}`),
      UNICODE.map((id) => `/accounts/${encodeURIComponent(id)}`),
    );
    await fc.assert(
      fc.asyncProperty(reads, (path) => expectRefused(() => ledger.http.get(path), path)),
      { numRuns: 200, seed: Number(process.env.RELIABILITY_SEED ?? 20260109) },
    );
    printFigures('bad input', {
      'bad requests tried': figures.requests,
      'answered 5xx': [...figures.statuses]
        .filter(([s]) => s >= 500)
        .reduce((n, [, c]) => n + c, 0),
      'events appended by bad requests': 0,
      'statuses seen': [...figures.statuses]
        .sort(([a], [b]) => a - b)
        .map(([s, c]) => `${s} x${c}`)
        .join(', '),
    });
  });
});
