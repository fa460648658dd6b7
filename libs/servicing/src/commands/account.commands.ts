/**
 * The command bus messages. One generic command carries any account command to the repository, so the
 * bus does dispatch and nothing else; application submission and end of day have their own because
 * they do more than one account's load-decide-append.
 */
import { Command } from '@nestjs/cqrs';
import type { ApplicationChannel, CreditAccountCommand } from '@ledger/credit';
import type { CommandMetadata, ExecuteResult } from '../repository/account-repository';
import type { EndOfDayReport } from '../end-of-day/end-of-day.service';

export type RequestMetadata = Omit<CommandMetadata, 'now'> & { now?: string };

export class ExecuteAccountCommand extends Command<ExecuteResult> {
  constructor(
    readonly accountId: string,
    readonly command: Exclude<CreditAccountCommand, { type: 'SubmitApplication' | 'CloseBusinessDay' }>,
    readonly meta: RequestMetadata,
  ) {
    super();
  }
}

/** An application as upstream systems send it: personal data in clear, protected before it is stored. */
export interface ApplicationRequest {
  idNumber: string;
  name: string;
  nationality: string;
  channel: ApplicationChannel;
  payScore: number;
  paymentsLast6Months: number;
  identityVerified: { idCard: boolean; bankCard: boolean; phone: boolean };
  debitCard: { kind: 'DEBIT' | 'CREDIT'; last4: string } | null;
  creditRecord: { currentOverdue: boolean; severeDelinquency: boolean };
}

export class SubmitApplicationCommand extends Command<ExecuteResult> {
  constructor(
    readonly application: ApplicationRequest,
    readonly meta: RequestMetadata,
  ) {
    super();
  }
}

export class CloseBusinessDayCommand extends Command<EndOfDayReport> {
  constructor(
    readonly businessDate: string,
    readonly actor: string,
  ) {
    super();
  }
}
