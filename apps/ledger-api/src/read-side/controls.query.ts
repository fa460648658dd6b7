import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { accountNotFound } from '@ledger/credit';
import { AccountRepository } from '@ledger/servicing';

/** The customer's transaction controls (PUT /accounts/:id/controls), as the account's events leave them. */
export interface ControlsView {
  accountId: string;
  singleTransactionLimit: string | null;
  nightLock: boolean;
}

export class GetControlsQuery extends Query<ControlsView> {
  constructor(readonly accountId: string) {
    super();
  }
}

/** Read from the account's events, as a draw is decided on them: no read model lags behind a change of them. */
@QueryHandler(GetControlsQuery)
export class GetControlsHandler implements IQueryHandler<GetControlsQuery, ControlsView> {
  constructor(private readonly repository: AccountRepository) {}

  async execute({ accountId }: GetControlsQuery): Promise<ControlsView> {
    const { state } = await this.repository.load(accountId);
    if (state.status === 'NONE') throw accountNotFound(accountId);
    return { accountId, singleTransactionLimit: state.singleTransactionLimit?.toString() ?? null, nightLock: state.nightLock };
  }
}
