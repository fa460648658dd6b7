import type { StoredEvent } from './event-store.port';
import { Upcasters } from './upcasters';

const stored = (type: string, schemaVersion: number, data: unknown): StoredEvent => ({
  id: 'e1',
  stream: 's',
  revision: 0n,
  position: 1n,
  type,
  schemaVersion,
  data,
  metadata: {},
});

describe('the upcaster registry', () => {
  it('chains the steps of a type up to the latest version', () => {
    const upcasters = new Upcasters()
      .register('A', 1, (data: { x: number }) => ({ x: data.x, y: 0 }))
      .register('A', 2, (data: { x: number; y: number }) => ({ ...data, z: 'new' }));
    expect(upcasters.upcast(stored('A', 1, { x: 1 }))).toMatchObject({
      schemaVersion: 3,
      data: { x: 1, y: 0, z: 'new' },
    });
  });

  it('leaves the event it was given untouched', () => {
    const event = stored('A', 1, { x: 1 });
    new Upcasters().register('A', 1, () => ({ replaced: true })).upcast(event);
    expect(event).toMatchObject({ schemaVersion: 1, data: { x: 1 } });
  });

  it('refuses a second step from the same version of a type', () => {
    const upcasters = new Upcasters().register('A', 1, (data) => data);
    expect(() => upcasters.register('A', 1, (data) => data)).toThrow(/already registered/);
  });

  it('refuses a step from a version that is not a positive integer', () => {
    expect(() => new Upcasters().register('A', 0, (data) => data)).toThrow(RangeError);
  });
});
