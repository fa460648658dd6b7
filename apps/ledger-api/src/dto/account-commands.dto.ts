import { ApiHideProperty, ApiProperty } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsInt, IsObject, IsOptional, Matches, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import { IsAmount, IsIdentifier, IsText, AMOUNT_MESSAGE, AMOUNT_PATTERN, AMOUNT_RULE, ID_PATTERN } from './validators';
import { POSITION_TEXT, REVISION_TEXT } from '@ledger/servicing/audit';
import { ACCOUNT_FLAGS, ACCOUNT_SORTS, type AccountFlag, type AccountSort } from '@ledger/projections';
import { DELINQUENCY_BUCKETS, type JournalDating } from '@ledger/credit';

export class ActivationDto {
  @IsText('Version of the service agreement and privacy terms accepted', 32, 'fenfu-2026.1') agreementVersion!: string;
  @ApiProperty({ example: '6222', pattern: '^\\d{4}$', description: 'Last 4 digits of the auto-repayment debit card' })
  @Matches(/^\d{4}$/, { message: 'autoRepayCardLast4 must be 4 digits' })
  autoRepayCardLast4!: string;
}

export class AuthenticationDto {
  @ApiProperty({ enum: ['PASSWORD', 'FACE'] }) @IsIn(['PASSWORD', 'FACE']) method!: 'PASSWORD' | 'FACE';
  @ApiProperty() @IsBoolean() passed!: boolean;
}

export class DrawDto {
  @IsIdentifier('Merchant order id: the same order id twice is the same draw') orderId!: string;
  @IsText('Merchant name', 100, 'JD.com') merchant!: string;
  @IsAmount() amount!: string;
  @ApiProperty({ type: AuthenticationDto }) @IsDefined() @IsObject() @ValidateNested() @Type(() => AuthenticationDto) authentication!: AuthenticationDto;
}

export class RefundDto {
  @IsIdentifier("Merchant refund id, within the draw: the same refund id twice on a draw is the same refund (another draw's refunds have ids of their own)", 'RF-0001') refundId!: string;
  @IsAmount() amount!: string;
}

/** Periods of a plan: those the account's terms version offers, which a catalogue may change (422 `INSTALLMENT_PERIODS_NOT_OFFERED` otherwise). */
const PERIODS = { type: 'integer', minimum: 1, maximum: 60, example: 6, description: "Periods offered by the account's terms version: 3, 6 or 12 under the default terms; others answer 422 INSTALLMENT_PERIODS_NOT_OFFERED with those offered" } as const;

export class InstallmentDto {
  @ApiProperty(PERIODS) @IsInt() @Min(1) @Max(60) periods!: number;
}

/**
 * A query string's whole number as a number, and anything else (`0x10`, ` 6`, `6.0`, `1e3`) as the
 * string it was, which `@IsInt` then refuses: `Number()` alone would take all of those.
 */
export const WholeNumber = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value));

/**
 * What every read route takes beside its own parameters: `after` (wait until the read models have
 * applied that position) and `consistency`. The controllers document them once and read them from the
 * query string (`consistencyOf`); they are declared here so that a route's own parameters can still
 * refuse everything else.
 */
export class ReadConsistencyQuery {
  @ApiHideProperty() @IsOptional() @Matches(/^\d{1,19}$/, { message: 'after must be a global position (digits)' }) after?: string;
  @ApiHideProperty() @IsOptional() @IsIn(['strong', 'eventual']) consistency?: string;
}

export class InstallmentQuoteQuery extends ReadConsistencyQuery {
  @IsAmount() amount!: string;
  @ApiProperty(PERIODS) @WholeNumber() @IsInt() @Min(1) @Max(60) periods!: number;
}

export class RepaymentDto {
  @IsIdentifier('Payment reference: the same reference and amount is the same repayment', 'PAY-0001') reference!: string;
  @IsAmount() amount!: string;
  @ApiProperty({ enum: ['MANUAL', 'AUTO_DEBIT'] }) @IsIn(['MANUAL', 'AUTO_DEBIT']) channel!: 'MANUAL' | 'AUTO_DEBIT';
}

export class AutoDebitFailureDto {
  @ApiProperty({ example: '2026-01', pattern: '^\\d{4}-(0[1-9]|1[0-2])$' }) @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'statementId must be YYYY-MM (a billed month)' }) statementId!: string;
  @IsText('Why the debit failed (e.g. INSUFFICIENT_FUNDS)', 100, 'INSUFFICIENT_FUNDS') reason!: string;
}

export class ControlsDto {
  @ApiProperty({ type: String, nullable: true, pattern: AMOUNT_PATTERN.source, example: '500.00', description: `Single-transaction limit (交易限额); null clears it. ${AMOUNT_RULE}` })
  @ValidateIf((o: ControlsDto) => o.singleTransactionLimit !== null)
  @Matches(AMOUNT_PATTERN, { message: `singleTransactionLimit must be null or ${AMOUNT_MESSAGE}` })
  singleTransactionLimit!: string | null;
  @ApiProperty({ description: 'Night lock (夜间锁): no draws 23:00-06:00' }) @IsBoolean() nightLock!: boolean;
}

export class PayScoreDto {
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 1000, example: 735 }) @IsInt() @Min(0) @Max(1000) payScore!: number;
}

export class RiskSuspensionDto {
  @ApiProperty({ enum: ['REMOTE_LOGIN', 'HIGH_FREQUENCY_SPENDING', 'OTHER'] }) @IsIn(['REMOTE_LOGIN', 'HIGH_FREQUENCY_SPENDING', 'OTHER']) reason!: 'REMOTE_LOGIN' | 'HIGH_FREQUENCY_SPENDING' | 'OTHER';
  @IsText('What risk monitoring saw', 500, 'login from a new device', { multiline: true }) note!: string;
}

export class UnlockDto {
  @ApiProperty({ description: 'The customer passed face verification' }) @IsBoolean() faceVerified!: boolean;
}

export class DisputeDto {
  @IsIdentifier('Dispute id', 'DSP-0001') disputeId!: string;
  @IsIdentifier('The disputed draw (its order id)') drawId!: string;
  @IsText('What the customer reported', 500, 'card stolen', { multiline: true }) reason!: string;
}

export class DisputeResolutionDto {
  @ApiProperty({ description: 'Upheld disputes reverse the draw in full (全额赔付)' }) @IsBoolean() upheld!: boolean;
  @IsText('Resolution note', 500, 'confirmed fraud', { multiline: true }) note!: string;
}

export class ClockDto {
  @ApiProperty({ example: '2026-02-01T00:30:00+08:00', description: 'ISO-8601 date-time with offset; only forward' })
  @Matches(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/, { message: 'now must be an ISO-8601 date-time with an offset' })
  now!: string;
}

export class EndOfDayDto {
  @ApiProperty({ example: '2026-01-31' }) @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'businessDate must be YYYY-MM-DD' }) businessDate!: string;
}

export class AccrualsQuery extends ReadConsistencyQuery {
  @ApiProperty({ example: '2026-01-01' }) @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'from must be YYYY-MM-DD' }) from!: string;
  @ApiProperty({ example: '2026-01-31' }) @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'to must be YYYY-MM-DD' }) to!: string;
}

/** The accruals' range of dates (and its validation), documented as posting dates. */
export class PostingDatesQuery extends AccrualsQuery {
  @ApiProperty({ example: '2026-03-01', format: 'date', description: 'First date, YYYY-MM-DD: a posting date (an event\'s own date, as `ledger gl` dates by default), or with dateBy=businessDay a business day' }) declare from: string;
  @ApiProperty({ example: '2026-03-31', format: 'date', description: 'Last date, YYYY-MM-DD, not before `from` (with dateBy=businessDay a closed business day); the journal per day takes at most 731 days' }) declare to: string;
}

export class TrialBalanceQuery extends PostingDatesQuery {
  @ApiProperty({
    required: false,
    enum: ['posting', 'businessDay'],
    description: "posting (default): each journal line on its posting date, as `ledger gl` dates; businessDay: on the business day that decided it (a month end's statements in its own month), as `ledger gl --by business-day`: the range is as of its last close, which must have closed",
  })
  @IsOptional()
  @IsIn(['posting', 'businessDay'], { message: 'dateBy must be posting or businessDay' })
  dateBy?: JournalDating;
}

export class HistoryQuery {
  @ApiProperty({
    required: false,
    example: '2026-02-01T00:00:00+08:00',
    description:
      'Replay the events recorded up to this moment of the wall clock (recordedAt), not of the business calendar: a bare date is the end of that day in Asia/Shanghai. For the account at the close of a business day (a month end, say), use businessDate: on a ledger whose clock was set by hand (the demo), recording time and business dates are far apart.',
  })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/, { message: 'asOf must be an ISO date or date-time with an offset (in a URL, write + as %2B: a bare + arrives as a space)' })
  asOf?: string;

  @ApiProperty({ required: false, example: '12', pattern: '^\\d{1,15}$', description: 'Replay to this revision of the stream (0 is the first event), that event included; instead of asOf (400 if both). 404 EVENT_NOT_FOUND if the stream has no such event.' })
  @IsOptional()
  @Matches(REVISION_TEXT, { message: 'revision must be a non-negative integer (0 is the first event)' })
  revision?: string;

  @ApiProperty({ required: false, example: '2026-03-31', description: 'Replay to the close of this business day: the commands taken on it and before, and what its end of day decided (effective the next day), whenever they were recorded. Instead of asOf or revision (400 if more than one).' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'businessDate must be YYYY-MM-DD' })
  businessDate?: string;

  @ApiProperty({ required: false, example: '131', pattern: '^\\d{1,19}$', description: "Replay to this position of the log (as a command's answer gives it): the account's events at or before it. Instead of asOf, revision or businessDate (400 if more than one). 404 POSITION_NOT_FOUND past the log's last position." })
  @IsOptional()
  @Matches(POSITION_TEXT, { message: 'position must be a non-negative integer (a log position)' })
  position?: string;
}

/** The filters and order of the account list, shared by the list (GET /accounts) and its CSV export (GET /accounts/export). */
export class AccountFiltersQuery extends ReadConsistencyQuery {
  @ApiProperty({ required: false, enum: ['APPROVED', 'ACTIVE', 'REJECTED', 'CLOSED'] }) @IsOptional() @IsIn(['APPROVED', 'ACTIVE', 'REJECTED', 'CLOSED']) status?: string;
  @ApiProperty({ required: false, enum: DELINQUENCY_BUCKETS, description: "Opened accounts (active or closed) in this delinquency bucket, as the portfolio's buckets count them: an application rejected or not yet activated is in none" }) @IsOptional() @IsIn(DELINQUENCY_BUCKETS) bucket?: string;
  @ApiProperty({ required: false, enum: Object.keys(ACCOUNT_FLAGS), description: 'Only accounts with this restriction on: frozen for overdue, suspended for risk, payment-locked' })
  @IsOptional()
  @IsIn(Object.keys(ACCOUNT_FLAGS))
  flag?: AccountFlag;
  @ApiProperty({
    required: false,
    enum: ACCOUNT_SORTS,
    default: 'accountId',
    description: 'accountId, or daysPastDue: the longest overdue first, then the accounts not overdue, each in account id order (page it with offset; cursor follows account id order only)',
  })
  @IsOptional()
  @IsIn(ACCOUNT_SORTS)
  sort?: AccountSort;
}

/** The history in pages: a long account's whole answer is hundreds of kilobytes (soak test). */
export class HistoryPageQuery extends HistoryQuery {
  @ApiProperty({ required: false, example: '0', pattern: '^\\d{1,15}$', description: "The page's first revision of the stream (a page's `nextRevision`); 0 when omitted. The replay still runs from the first event: each entry's `after` and `balances` are the whole replay's." })
  @IsOptional()
  @Matches(REVISION_TEXT, { message: 'fromRevision must be a non-negative integer (a page\'s nextRevision)' })
  fromRevision?: string;

  @ApiProperty({ required: false, type: 'integer', minimum: 1, maximum: 1000, description: "At most this many events in the page; every event to the end of the replay when omitted. `nextRevision` says where the next page starts (null on the last)." })
  @IsOptional()
  @WholeNumber()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class ListAccountsQuery extends AccountFiltersQuery {
  @ApiProperty({ required: false, type: 'integer', default: 50, minimum: 1, maximum: 500 }) @IsOptional() @WholeNumber() @IsInt() @Min(1) @Max(500) limit?: number;
  @ApiProperty({ required: false, type: 'integer', default: 0, minimum: 0 }) @IsOptional() @WholeNumber() @IsInt() @Min(0) offset?: number;
  @ApiProperty({ required: false, description: "Keyset paging: the accounts after this one, in account id order (a page's `nextCursor`); pages stay put while accounts are added, where `offset`'s shift" })
  @IsOptional()
  @Matches(ID_PATTERN, { message: 'cursor must be an account id (a page\'s nextCursor)' })
  cursor?: string;
}
