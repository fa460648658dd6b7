/**
 * Every number of the product (PRODUCT.md) in one typed, versioned object. Events that depend on terms
 * record `termsVersion`, so replaying an account after the terms change computes the same result: the
 * decider looks the version up in the catalogue instead of using whatever is current.
 *
 * Amounts are decimal strings and rates are decimal fractions as strings ("0.0005" = 0.05% a day).
 */
export interface LimitTier {
  /** Lowest pay score of the tier (inclusive). */
  minPayScore: number;
  initialLimit: string;
  dailyRate: string;
}

export interface ReviewCap {
  /** Lowest pay score for this cap (inclusive). */
  minPayScore: number;
  maxLimit: string;
}

export interface ProductTerms {
  version: string;
  eligibility: {
    minAge: number;
    maxAge: number;
    minPayScore: number;
    minPaymentsLast6Months: number;
    reapplyAfterDays: number;
  };
  /** Tiers ordered by minPayScore ascending. */
  limitTiers: LimitTier[];
  maxLimit: string;
  minimumDailyRate: string;
  daysPerYear: number;
  interestFreeDays: number;
  penalty: { multiplier: string; dailyRateCap: string };
  draws: {
    faceVerificationFrom: string;
    maxConsecutiveAuthFailures: number;
    /** Night lock window in local minutes of day: [start, end) wrapping midnight. */
    nightLockStartMinute: number;
    nightLockEndMinute: number;
  };
  installments: {
    minDrawAmount: string;
    /** Monthly fee rate per number of periods. */
    monthlyFeeRates: Record<string, string>;
  };
  billing: {
    dueDayOfMonth: number;
    minimumRepaymentRate: string;
  };
  overdue: {
    maxDeferralDays: number;
    freezeOnDayPastDue: number;
    reportOnDayPastDue: number;
    /** Upper bound (inclusive, in days past due) of each bucket; the last bucket is open-ended. */
    buckets: { name: DelinquencyBucket; maxDaysPastDue: number | null }[];
  };
  review: {
    decreaseFactor: string;
    increaseFactor: string;
    roundingStep: number;
    floorLimit: string;
    minUtilizationForIncrease: string;
    /** Caps on an increased limit by pay score, ascending by minPayScore. */
    caps: ReviewCap[];
    premiumLimitFrom: string;
    premiumPayScoreFrom: number;
    premiumDailyRate: string;
  };
}

export type DelinquencyBucket = 'CURRENT' | 'M1' | 'M2' | 'M3' | 'M3+';

/** The delinquency buckets in order, from current to the most overdue. */
export const DELINQUENCY_BUCKETS: readonly DelinquencyBucket[] = ['CURRENT', 'M1', 'M2', 'M3', 'M3+'];

export const TERMS_2026_01: ProductTerms = {
  version: '2026-01',
  eligibility: { minAge: 18, maxAge: 55, minPayScore: 600, minPaymentsLast6Months: 20, reapplyAfterDays: 30 },
  limitTiers: [
    { minPayScore: 600, initialLimit: '500.00', dailyRate: '0.0005' },
    { minPayScore: 650, initialLimit: '2000.00', dailyRate: '0.0005' },
    { minPayScore: 700, initialLimit: '3000.00', dailyRate: '0.00045' },
    { minPayScore: 750, initialLimit: '5000.00', dailyRate: '0.0004' },
  ],
  maxLimit: '50000.00',
  minimumDailyRate: '0.0003',
  daysPerYear: 365,
  interestFreeDays: 0,
  penalty: { multiplier: '1.5', dailyRateCap: '0.00065' },
  draws: {
    faceVerificationFrom: '5000.00',
    maxConsecutiveAuthFailures: 5,
    nightLockStartMinute: 23 * 60,
    nightLockEndMinute: 6 * 60,
  },
  installments: {
    minDrawAmount: '300.00',
    monthlyFeeRates: { '3': '0.005', '6': '0.0035', '12': '0.0025' },
  },
  billing: { dueDayOfMonth: 10, minimumRepaymentRate: '0.1' },
  overdue: {
    maxDeferralDays: 90,
    freezeOnDayPastDue: 4,
    reportOnDayPastDue: 4,
    buckets: [
      { name: 'M1', maxDaysPastDue: 30 },
      { name: 'M2', maxDaysPastDue: 60 },
      { name: 'M3', maxDaysPastDue: 90 },
      { name: 'M3+', maxDaysPastDue: null },
    ],
  },
  review: {
    decreaseFactor: '0.8',
    increaseFactor: '1.2',
    roundingStep: 100,
    floorLimit: '500.00',
    minUtilizationForIncrease: '0.3',
    caps: [
      { minPayScore: 0, maxLimit: '10000.00' },
      { minPayScore: 700, maxLimit: '20000.00' },
      { minPayScore: 750, maxLimit: '50000.00' },
    ],
    premiumLimitFrom: '20000.00',
    premiumPayScoreFrom: 750,
    premiumDailyRate: '0.0003',
  },
};

/**
 * Seed 001's base installment fee table (3 periods 1.5%, 6 periods 1.2%, 12 periods 1.0% a period):
 * another valid terms version (PRODUCT.md §5), kept to show that a terms change never rewrites history.
 */
export const TERMS_2026_01_SEED001_FEES: ProductTerms = {
  ...TERMS_2026_01,
  version: '2026-01-seed001-fees',
  installments: { ...TERMS_2026_01.installments, monthlyFeeRates: { '3': '0.015', '6': '0.012', '12': '0.01' } },
};

/** Every terms version the ledger has ever used; events name theirs, so none may be removed. */
export class TermsCatalogue {
  private readonly byVersion = new Map<string, ProductTerms>();

  constructor(
    terms: ProductTerms[],
    readonly currentVersion: string,
  ) {
    for (const t of terms) {
      // An interest-free period (seed 001's variant) is a terms field but not implemented: refuse such
      // terms rather than silently charge interest they promise not to.
      if (t.interestFreeDays !== 0) throw new Error(`terms ${t.version}: interestFreeDays other than 0 is not supported`);
      this.byVersion.set(t.version, t);
    }
    if (!this.byVersion.has(currentVersion)) throw new Error(`unknown current terms version ${currentVersion}`);
  }

  get current(): ProductTerms {
    return this.get(this.currentVersion);
  }

  get(version: string): ProductTerms {
    const terms = this.byVersion.get(version);
    if (!terms) throw new Error(`unknown terms version ${version}`);
    return terms;
  }
}

export const DEFAULT_TERMS_CATALOGUE = new TermsCatalogue([TERMS_2026_01, TERMS_2026_01_SEED001_FEES], TERMS_2026_01.version);
