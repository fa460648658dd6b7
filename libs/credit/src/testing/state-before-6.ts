/**
 * For tests of the upgrade from state versions before 6 (`state-codec.ts`): a state's JSON as this
 * build writes it (`serializeState`, parsed), rewritten as versions 4 and 5 wrote it. Each draw then
 * holds where its principal lives (`placement`) and its unbilled share (`unbilledRemaining`), and the
 * state lists its unbilled draws by id (`unbilledDrawIds`) instead of with their shares. Its repayment
 * references are one object in the head rather than a sharded record.
 *
 * A billed draw names the open statement that holds a share of it, or else the account's last
 * statement: the statement it was billed on may have been settled and dropped since (or hold no share of
 * a draw repaid before it), which this build's state does not record, and the upgrade reads only the
 * placement's kind. A test of what an older build really wrote uses that build's text
 * (`state-codec.spec.ts`).
 */
interface StoredRecord {
  $shards: (string | null)[];
  size: number;
}

/** A state's head: the state's JSON with its sharded records inline or written apart. */
interface StoredHead {
  unbilledDraws?: { drawId: string; remaining: unknown }[];
  unbilledDrawIds?: string[];
  statements: { id: string; billedDraws: Record<string, unknown> }[];
  lastStatementId: string | null;
  [field: string]: unknown;
}

interface StoredState extends StoredHead {
  orders: StoredRecord;
  draws: StoredRecord;
  repayments: StoredRecord;
}

interface StoredDraw {
  drawId: string;
  planId: string | null;
  [field: string]: unknown;
}

const ZERO = { $money: '0' };

/** The whole state, its shards inline (`serializeState`). */
export function asStoredBefore6(json: StoredState): StoredState {
  return {
    ...headBefore6(json, json.repayments.$shards),
    draws: { $shards: json.draws.$shards.map((shard) => (shard === null ? null : drawShardBefore6(shard, json))), size: json.draws.size },
  } as StoredState;
}

/**
 * The state's head alone, for a state whose records are written apart (a snapshot's parts, a fold's
 * shard rows), given the texts of its shards of repayment references, which those versions kept in it.
 */
export function headBefore6<T extends StoredHead>(head: T, repaymentShards: readonly (string | null)[]): T {
  const old: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(head)) {
    // The ids where the shares were, and the references where their record was, as those versions placed them.
    if (key === 'unbilledDraws') old.unbilledDrawIds = (value as { drawId: string }[]).map((d) => d.drawId);
    // (Entries, not `Object.assign`, which would take a reference `__proto__` for the prototype.)
    else if (key === 'repayments') old.repayments = Object.fromEntries(repaymentShards.flatMap((shard) => (shard === null ? [] : Object.entries(JSON.parse(shard) as object))));
    else old[key] = value;
  }
  return old as T;
}

/** One shard of draws as text, given the head of the state it belongs to (as this build writes it). */
export function drawShardBefore6(shard: string, head: StoredHead): string {
  const unbilled = new Map((head.unbilledDraws ?? []).map((d) => [d.drawId, d.remaining]));
  const placementOf = (draw: StoredDraw) => {
    if (draw.planId !== null) return { kind: 'INSTALLMENT', planId: draw.planId };
    if (unbilled.has(draw.drawId)) return { kind: 'UNBILLED' };
    const statement = head.statements.find((st) => Object.hasOwn(st.billedDraws, draw.drawId));
    return { kind: 'BILLED', statementId: statement?.id ?? head.lastStatementId };
  };
  const draws = JSON.parse(shard) as Record<string, StoredDraw>;
  const old: Record<string, unknown> = {};
  for (const [id, { planId: _, reversedByDispute, ...draw }] of Object.entries(draws)) {
    old[id] = { ...draw, placement: placementOf(draws[id]), unbilledRemaining: unbilled.get(id) ?? ZERO, reversedByDispute };
  }
  return JSON.stringify(old);
}
