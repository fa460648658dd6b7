import { BusinessClock } from './business-clock';

/** For specs: a system clock stopped at `at`, which cannot be set. */
export class FixedClock extends BusinessClock {
  readonly mode = 'system' as const;
  constructor(private readonly at: string) {
    super();
  }
  now(): string {
    return this.at;
  }
  async set(): Promise<string> {
    throw new Error('fixed');
  }
}
