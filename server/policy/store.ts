/** PolicyStore over Kysely (SQLite or PostgreSQL). */
import { kyselyDeskStore } from './desk-store.js';
import { PostgresAdapter, sql, type Updateable } from 'kysely';
import type { Db, Tx } from '../storage/index.js';
import type { DemandsTable } from '../storage/index.js';
import type { AccountPolicy, Demand, DemandDocument, DemandLock, DemandPatch, DemandState, PolicyStore, RestrictionScope } from './types.js';

type DemandRow = Omit<DemandsTable, 'id'> & { id: number };

function toDemand(row: DemandRow, doc: { filename: string; content_type: string; size: number } | undefined): Demand {
  return {
    id: Number(row.id),
    authority: row.authority,
    jurisdiction: row.jurisdiction,
    legalBasis: row.legal_basis,
    reference: row.reference,
    receivedAt: Number(row.received_at),
    askedText: row.asked_text,
    asks: JSON.parse(row.asks) as Demand['asks'],
    targets: JSON.parse(row.targets) as Demand['targets'],
    gag: { active: row.gag === 1, until: row.gag_until === null ? null : Number(row.gag_until) },
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    state: row.state as DemandState,
    recordedBy: row.recorded_by,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at === null ? null : Number(row.decided_at),
    decisionReason: row.decision_reason,
    endedBy: row.ended_by,
    endedAt: row.ended_at === null ? null : Number(row.ended_at),
    document:
      row.document_sha256 !== null && doc
        ? { sha256: row.document_sha256, filename: doc.filename, contentType: doc.content_type, size: Number(doc.size) }
        : null,
    createdAt: Number(row.created_at),
  };
}

async function transitionOn(q: Db | Tx, id: number, from: DemandState, patch: DemandPatch): Promise<boolean> {
  const set: Updateable<DemandsTable> = {};
  if (patch.state !== undefined) set.state = patch.state;
  if (patch.decidedBy !== undefined) set.decided_by = patch.decidedBy;
  if (patch.decidedAt !== undefined) set.decided_at = patch.decidedAt;
  if (patch.decisionReason !== undefined) set.decision_reason = patch.decisionReason;
  if (patch.endedBy !== undefined) set.ended_by = patch.endedBy;
  if (patch.endedAt !== undefined) set.ended_at = patch.endedAt;
  const r = await q.updateTable('demands').set(set).where('id', '=', id).where('state', '=', from).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export function createKyselyPolicyStore(db: Db): PolicyStore {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  /**
   * [cluster] Demand transitions of this process, one at a time. Each holds one pooled
   * connection (its FOR UPDATE transaction) while its log append needs another; one at a time
   * means they can never take the whole pool and wait on each other for a connection.
   */
  let pgTail: Promise<unknown> = Promise.resolve();
  const docMeta = (ids: number[], q: Db | Tx = db) =>
    ids.length === 0
      ? Promise.resolve([])
      : q.selectFrom('demand_documents').select(['demand_id', 'filename', 'content_type', 'size']).where('demand_id', 'in', ids).execute();

  async function hydrate(rows: DemandRow[], q: Db | Tx = db): Promise<Demand[]> {
    const metas = await docMeta(
      rows.filter((r) => r.document_sha256 !== null).map((r) => Number(r.id)),
      q,
    );
    const byId = new Map(metas.map((m) => [Number(m.demand_id), m]));
    return rows.map((r) => toDemand(r, byId.get(Number(r.id))));
  }

  const docRow = (id: number, doc: DemandDocument) => ({
    demand_id: id,
    filename: doc.filename,
    content_type: doc.contentType,
    size: doc.size,
    sha256: doc.sha256,
    bytes: doc.bytes,
    created_at: Date.now(),
  });

  return {
    ...kyselyDeskStore(db),
    async insertDemand(d, doc) {
      return db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto('demands')
          .values({
            authority: d.authority,
            jurisdiction: d.jurisdiction,
            legal_basis: d.legalBasis,
            reference: d.reference,
            received_at: d.receivedAt,
            asked_text: d.askedText,
            asks: JSON.stringify(d.asks),
            targets: JSON.stringify(d.targets),
            gag: d.gag.active ? 1 : 0,
            gag_until: d.gag.until,
            expires_at: d.expiresAt,
            state: d.state,
            recorded_by: d.recordedBy,
            decided_by: null,
            decided_at: null,
            decision_reason: null,
            ended_by: null,
            ended_at: null,
            document_sha256: doc?.sha256 ?? null,
            created_at: d.createdAt,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const id = Number(inserted.id);
        if (doc) await trx.insertInto('demand_documents').values(docRow(id, doc)).execute();
        const row = await trx.selectFrom('demands').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        return toDemand(row, doc ? { filename: doc.filename, content_type: doc.contentType, size: doc.size } : undefined);
      });
    },
    async deleteDemand(id) {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('demand_documents').where('demand_id', '=', id).execute();
        await trx.deleteFrom('demands').where('id', '=', id).execute();
      });
    },
    async getDemand(id) {
      const row = await db.selectFrom('demands').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? ((await hydrate([row]))[0] ?? null) : null;
    },
    async listDemands() {
      return hydrate(await db.selectFrom('demands').selectAll().orderBy('id', 'desc').limit(1000).execute());
    },
    async listDemandsInState(state) {
      return hydrate(await db.selectFrom('demands').selectAll().where('state', '=', state).execute());
    },
    async transition(id, from, patch) {
      return transitionOn(db, id, from, patch);
    },
    async exclusive(id, fn) {
      if (!postgres) {
        // SQLite: one process, whose engine already serialises per demand. A transaction here
        // would hold SQLite's single connection while the log appends on it: never do that.
        const row = await db.selectFrom('demands').selectAll().where('id', '=', id).executeTakeFirst();
        const current = row ? ((await hydrate([row]))[0] ?? null) : null;
        return fn({ current, transition: (from, patch) => transitionOn(db, id, from, patch) });
      }
      /*
       * PostgreSQL: the row lock makes the re-read, the log append (made by fn, write-ahead) and
       * the compare-and-set one step across every node. Deadlock-free: the log's append
       * transaction (another connection; pg_advisory_xact_lock(7240915001)) never touches
       * `demands`, so it never waits on this row lock, and a transaction holding this lock waits
       * only on that append; a second transition of the same demand waits here, before its append.
       */
      const run = pgTail.then(() =>
        db.transaction().execute(async (trx) => {
          await sql`set local lock_timeout = '30s'`.execute(trx); // a node stuck holding it fails this call, not the cluster
          const row = await trx.selectFrom('demands').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
          const current = row ? ((await hydrate([row], trx))[0] ?? null) : null;
          const lock: DemandLock = { current, transition: (from, patch) => transitionOn(trx, id, from, patch) };
          return fn(lock);
        }),
      );
      pgTail = run.catch(() => undefined);
      return run;
    },
    async attachDocument(id, doc) {
      return db.transaction().execute(async (trx) => {
        const r = await trx
          .updateTable('demands')
          .set({ document_sha256: doc.sha256 })
          .where('id', '=', id)
          .where('document_sha256', 'is', null)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) return false;
        await trx.insertInto('demand_documents').values(docRow(id, doc)).execute();
        return true;
      });
    },
    async getDocument(id) {
      const r = await db.selectFrom('demand_documents').selectAll().where('demand_id', '=', id).executeTakeFirst();
      if (!r) return null;
      return { sha256: r.sha256, filename: r.filename, contentType: r.content_type, size: Number(r.size), bytes: new Uint8Array(r.bytes) };
    },
    async addOutcomes(demandId, outcomes) {
      if (outcomes.length === 0) return;
      await db
        .insertInto('demand_outcomes')
        .values(outcomes.map((o) => ({ demand_id: demandId, meeting_id: o.meetingId, outcome: o.outcome, count: o.count, created_at: o.at })))
        .execute();
    },
    async listOutcomes(demandId) {
      const rows = await db.selectFrom('demand_outcomes').selectAll().where('demand_id', '=', demandId).orderBy('created_at').execute();
      return rows.map((r) => ({ meetingId: r.meeting_id, outcome: r.outcome as 'removed' | 'no-action', count: r.count, at: Number(r.created_at) }));
    },
    async listRestrictions() {
      const rows = await db.selectFrom('country_restrictions').selectAll().execute();
      return rows.map((r) => ({
        scope: r.scope as RestrictionScope,
        subject: r.subject,
        mode: r.mode as 'block' | 'allow',
        countries: JSON.parse(r.countries) as string[],
        unknown: r.unknown as 'allow' | 'block',
        updatedBy: r.updated_by,
        updatedAt: Number(r.updated_at),
      }));
    },
    async putRestriction(r) {
      const values = {
        scope: r.scope,
        subject: r.subject,
        mode: r.mode,
        countries: JSON.stringify(r.countries),
        unknown: r.unknown,
        updated_by: r.updatedBy,
        updated_at: r.updatedAt,
      };
      await db
        .insertInto('country_restrictions')
        .values(values)
        .onConflict((oc) =>
          oc.columns(['scope', 'subject']).doUpdateSet({
            mode: values.mode,
            countries: values.countries,
            unknown: values.unknown,
            updated_by: values.updated_by,
            updated_at: values.updated_at,
          }),
        )
        .execute();
    },
    async listAccountPolicies() {
      const rows = await db.selectFrom('account_policies').selectAll().orderBy('country').execute();
      return rows.map((r): AccountPolicy => ({
        country: r.country,
        individualSignupDisabled: r.individual_signup_disabled === 1,
        businessRequiresVerification: r.business_requires_verification === 1,
        updatedBy: r.updated_by,
        updatedAt: Number(r.updated_at),
      }));
    },
    async replaceAccountPolicies(rows) {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('account_policies').execute();
        if (rows.length === 0) return;
        await trx
          .insertInto('account_policies')
          .values(
            rows.map((r) => ({
              country: r.country,
              individual_signup_disabled: r.individualSignupDisabled ? 1 : 0,
              business_requires_verification: r.businessRequiresVerification ? 1 : 0,
              updated_by: r.updatedBy,
              updated_at: r.updatedAt,
            })),
          )
          .execute();
      });
    },
  };
}
