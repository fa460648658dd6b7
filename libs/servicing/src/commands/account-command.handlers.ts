import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError, toShanghai } from '@ledger/credit';
import { BusinessDayAlreadyClosedError, BusinessDayGate } from '../end-of-day/business-day-gate';
import { BusinessClock, ManualClock } from '../clock/business-clock';
import { EndOfDayService, type EndOfDayReport } from '../end-of-day/end-of-day.service';
import { IdHashKeyGuard } from '../identity/id-hash-key-guard';
import { PersonalDataProtector, birthDateFromIdNumber, isValidPrcIdNumber, maskIdNumber, maskName } from '../identity/personal-data';
import { AccountRepository, type ExecuteResult } from '../repository/account-repository';
import { CloseBusinessDayCommand, ExecuteAccountCommand, SubmitApplicationCommand } from './account.commands';

/**
 * The business time of a command: the one it carries, or the clock's. A manual clock another process
 * moved on is behind the ledger's closes (BUSINESS_DAY_ALREADY_CLOSED): it takes that process's time and
 * the gate looks once more, so the command is dated now, never in a day already closed.
 */
async function admittedNow(clock: BusinessClock, gate: BusinessDayGate, given: string | undefined): Promise<string> {
  const now = given ?? clock.now();
  try {
    await gate.assertOpen(toShanghai(now).date);
    return now;
  } catch (error) {
    if (given !== undefined || !(error instanceof BusinessDayAlreadyClosedError) || !(clock instanceof ManualClock)) throw error;
    await clock.refresh();
    const later = clock.now();
    await gate.assertOpen(toShanghai(later).date);
    return later;
  }
}

@CommandHandler(ExecuteAccountCommand)
export class ExecuteAccountCommandHandler implements ICommandHandler<ExecuteAccountCommand, ExecuteResult> {
  constructor(
    private readonly repository: AccountRepository,
    private readonly clock: BusinessClock,
    private readonly gate: BusinessDayGate,
  ) {}

  async execute({ accountId, command, meta }: ExecuteAccountCommand): Promise<ExecuteResult> {
    const now = await admittedNow(this.clock, this.gate, meta.now);
    return this.gate.run(toShanghai(now).date, () => this.repository.execute(accountId, command, { ...meta, now }));
  }
}

@CommandHandler(SubmitApplicationCommand)
export class SubmitApplicationHandler implements ICommandHandler<SubmitApplicationCommand, ExecuteResult> {
  constructor(
    private readonly repository: AccountRepository,
    private readonly clock: BusinessClock,
    private readonly personalData: PersonalDataProtector,
    private readonly gate: BusinessDayGate,
    private readonly idHashKey: IdHashKeyGuard,
  ) {}

  async execute({ application: a, meta }: SubmitApplicationCommand): Promise<ExecuteResult> {
    const now = await admittedNow(this.clock, this.gate, meta.now);
    const on = toShanghai(now).date;
    return this.gate.run(on, () => this.submit(a, meta, now, on));
  }

  private async submit(a: SubmitApplicationCommand['application'], meta: SubmitApplicationCommand['meta'], now: string, on: string): Promise<ExecuteResult> {
    const idNumber = a.idNumber.toUpperCase();
    if (!isValidPrcIdNumber(idNumber, on)) {
      throw new DomainError('INVALID_ID_NUMBER', 'idNumber must be an 18-character PRC resident ID number with a valid check character and a real birth date, not after the application date', { field: 'idNumber' });
    }
    await this.idHashKey.assertKey(on, meta.actor);
    const accountId = this.personalData.accountIdFor(idNumber);
    return this.repository.execute(
      accountId,
      {
        type: 'SubmitApplication',
        accountId,
        channel: a.channel,
        applicant: {
          idNumberHash: this.personalData.hashIdNumber(idNumber),
          idNumberMasked: maskIdNumber(idNumber),
          nameMasked: maskName(a.name),
          birthDate: birthDateFromIdNumber(idNumber),
          nationality: a.nationality,
          payScore: a.payScore,
          paymentsLast6Months: a.paymentsLast6Months,
          identityVerified: a.identityVerified,
          debitCard: a.debitCard,
          creditRecord: a.creditRecord,
        },
      },
      { ...meta, now },
    );
  }
}

@CommandHandler(CloseBusinessDayCommand)
export class CloseBusinessDayHandler implements ICommandHandler<CloseBusinessDayCommand, EndOfDayReport> {
  constructor(private readonly endOfDay: EndOfDayService) {}

  execute({ businessDate, actor }: CloseBusinessDayCommand): Promise<EndOfDayReport> {
    return this.endOfDay.close(businessDate, actor);
  }
}
