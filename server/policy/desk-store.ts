/**
 * The second-person desk's rows (migration 007): pending commands and the role-grant links, in
 * the shared database, so a request survives a restart and any node sees and decides it.
 */
import { PendingCommand } from '../../protocol/policy.js';
import type { Db } from '../storage/index.js';
import type { PolicyStore } from './types.js';

type DeskRows = Pick<PolicyStore, 'insertPendingCommand' | 'listPendingCommands' | 'takePendingCommand' | 'addGrantLinks' | 'listGrantLinks'>;

interface PendingRow {
  id: string;
  kind: string;
  summary: string;
  details: string;
  requested_by: string;
  requested_at: number;
  expires_at: number;
}

/** A stored row back to a command; a row that does not parse (edited at rest) is never run. */
function toCommand(r: PendingRow): PendingCommand | null {
  let details: unknown;
  try {
    details = JSON.parse(r.details);
  } catch {
    return null;
  }
  const c = PendingCommand.safeParse({
    id: r.id,
    kind: r.kind,
    summary: r.summary,
    details,
    requestedBy: r.requested_by,
    requestedAt: Number(r.requested_at),
    expiresAt: Number(r.expires_at),
  });
  return c.success ? c.data : null;
}

export function kyselyDeskStore(db: Db): DeskRows {
  return {
    async insertPendingCommand(c) {
      await db
        .insertInto('pending_commands')
        .values({
          id: c.id,
          kind: c.kind,
          summary: c.summary,
          details: JSON.stringify(c.details),
          requested_by: c.requestedBy,
          requested_at: c.requestedAt,
          expires_at: c.expiresAt,
        })
        .execute();
    },
    async listPendingCommands(now) {
      await db.deleteFrom('pending_commands').where('expires_at', '<=', now).execute();
      const rows = await db.selectFrom('pending_commands').selectAll().orderBy('requested_at').execute();
      return rows.map(toCommand).filter((c): c is PendingCommand => c !== null);
    },
    async takePendingCommand(id, now) {
      // One statement decides who took it: of two nodes approving at once, one gets the row, the other none.
      const row = await db.deleteFrom('pending_commands').where('id', '=', id).where('expires_at', '>', now).returningAll().executeTakeFirst();
      return row ? toCommand(row) : null;
    },
    async addGrantLinks(account, granters, at) {
      if (granters.length === 0) return;
      await db
        .insertInto('role_grant_links')
        .values(granters.map((granter) => ({ account, granter, created_at: at })))
        .onConflict((oc) => oc.columns(['account', 'granter']).doNothing())
        .execute();
    },
    async listGrantLinks() {
      return db.selectFrom('role_grant_links').select(['account', 'granter']).execute();
    },
  };
}

/** The same rows in memory (property tests, the memory store). */
export function memoryDeskStore(): DeskRows {
  const pending = new Map<string, PendingCommand>();
  const links = new Set<string>();
  return {
    insertPendingCommand(c) {
      pending.set(c.id, structuredClone(c));
      return Promise.resolve();
    },
    listPendingCommands(now) {
      for (const [id, c] of pending) if (c.expiresAt <= now) pending.delete(id);
      return Promise.resolve([...pending.values()].map((c) => structuredClone(c)));
    },
    takePendingCommand(id, now) {
      const c = pending.get(id);
      pending.delete(id);
      return Promise.resolve(c && c.expiresAt > now ? c : null);
    },
    addGrantLinks(account, granters) {
      for (const g of granters) links.add(JSON.stringify([account, g]));
      return Promise.resolve();
    },
    listGrantLinks() {
      return Promise.resolve(
        [...links].map((l) => {
          const [account = '', granter = ''] = JSON.parse(l) as string[];
          return { account, granter };
        }),
      );
    },
  };
}
