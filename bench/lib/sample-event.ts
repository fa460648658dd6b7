/**
 * A representative event as the repository writes it (a posted draw with the full command metadata and
 * chain hash), so the raw baseline appends rows of the same size as the ledger's.
 */
import { v5 as uuidv5 } from 'uuid';
import { AccountScenario } from '@ledger/credit';
import { withChainHashes } from '../../libs/servicing/src/audit/chain-hash';

const NAMESPACE = '4f1c6d2e-8b7a-4e5f-9a3b-2c1d0e9f8a7b';

export function sampleEvent(): { type: string; data: string; metadata: string } {
  const scenario = new AccountScenario('0f8fad5b-d9cb-469f-a165-70867728950e').open();
  const [event] = scenario.draw('JD-2026-000123456', '123.45');
  const commandId = 'draw:JD-2026-000123456';
  const { events } = withChainHashes('credit-account-x', '', [
    {
      id: uuidv5(`x|${commandId}|0`, NAMESPACE),
      type: event.type,
      data: event.data,
      metadata: {
        commandId,
        requestHash: 'sha256:1b4f0e9851971998e732078544c96b36c3d01cedf7caa332359d6f1d83567014',
        actor: 'api-key:operator',
        correlationId: '9b2f4c1e-7d3a-4e5b-8c6d-0a1b2c3d4e5f',
        causationId: commandId,
        businessDate: '2026-06-15',
        recordedAt: '2026-06-15T02:00:00.000Z',
      },
    },
  ]);
  return { type: event.type, data: JSON.stringify(events[0].data), metadata: JSON.stringify(events[0].metadata) };
}
