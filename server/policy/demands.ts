/** The life of a demand: record → approve | reject; approved → lifted | expired. */
import { createHash } from 'node:crypto';
import { AppError } from '../../protocol/errors.js';
import { canonicalJson, gagCommitmentInput, LogEntry as LogEntrySchema, PERFORMABLE_ASKS, type Ask, type LogEntry } from '../../protocol/transparency.js';
import { notify, OPERATOR_SCOPE, type PolicyContext } from './context.js';
import { demandActionRefusal, stateRefusal } from './demand-guards.js';
import { enforceDemand } from './enforce.js';
import { country, type DemandInput } from './schemas.js';
import type { Demand, DemandAsk, DemandDocument, DemandLock, DemandPatch, DemandState, DemandTargets, NewDemand } from './types.js';

const NOT_PERFORMED = 'not performed: outside what a demand can do';

/** Parley's own reading of each ask: only blocking participants located in the jurisdiction is ever done. */
function deriveAsks(input: DemandInput, jurisdiction: string, hasTargets: boolean): DemandAsk[] {
  return input.asks.map((a) => {
    const out: DemandAsk = { kind: a.kind, performed: false };
    if (a.detail !== undefined) out.detail = a.detail;
    if (a.kind === 'block-participants' && hasTargets) {
      out.performed = true;
      out.reason = `only participants located in ${jurisdiction} are refused or removed`;
    } else if (a.kind === 'block-participants') out.reason = 'not performed: the demand names no meeting or account';
    else if (a.kind === 'hand-over-data') out.reason = `${NOT_PERFORMED}: Parley has no path that hands user data or meeting content to an authority`;
    else if (a.kind === 'restrict-signup')
      out.reason = `not performed by the demand: only the instance admin sets the account policy for ${jurisdiction}, recorded separately`;
    else if (a.kind === 'other') out.reason = `${NOT_PERFORMED}: at most, participants located in ${jurisdiction} are refused or removed`;
    else
      out.reason = `${NOT_PERFORMED}: meetings are never ended, accounts never suspended or closed, content never deleted; at most, participants located in ${jurisdiction} are refused or removed`;
    return out;
  });
}

async function resolveTargets(ctx: PolicyContext, input: DemandInput): Promise<DemandTargets> {
  const accounts: string[] = [];
  const unmatchedEmails: string[] = [];
  for (const a of input.targets.accounts) {
    const found = a.includes('@') ? await ctx.accounts?.findByEmail(a) : await ctx.accounts?.getById(a);
    if (found) accounts.push(found.id);
    else unmatchedEmails.push(a.includes('@') ? a.toLowerCase() : a);
  }
  return {
    meetings: [...new Set(input.targets.meetings)],
    accounts: [...new Set(accounts)],
    unmatchedEmails,
    titlePattern: input.targets.titlePattern ?? null,
  };
}

/** Validate the parts zod cannot: country codes, and that the jurisdiction is the authority's own. */
export function checkJurisdiction(input: DemandInput): string {
  const j = country(input.jurisdiction, 'jurisdiction');
  const named: [string, string][] = [];
  if (input.targetJurisdiction !== undefined) named.push([input.targetJurisdiction, 'targetJurisdiction']);
  input.asks.forEach((a, i) => a.jurisdiction !== undefined && named.push([a.jurisdiction, `asks.${i}.jurisdiction`]));
  for (const [value, path] of named) {
    country(value, path);
    if (value !== j) throw new AppError('JURISDICTION_MISMATCH', undefined, { path, authority: j, named: value });
  }
  return j;
}

function askForLog(a: DemandAsk): Ask {
  return a.reason === undefined ? { kind: a.kind, performed: a.performed } : { kind: a.kind, performed: a.performed, reason: a.reason.slice(0, 2000) };
}

/** The salt of a gagged demand's commitment: a keyed pseudonym, recomputable only with the log's key. */
export function gagSalt(ctx: PolicyContext, id: number): string {
  return createHash('sha256')
    .update(ctx.log.pseudonym('operator', `gag-salt:${id}`, 'gag-commitments'))
    .digest('hex');
}

const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');

/** The demand.recorded entry; the document hash goes on it when the log schema has a field for it. */
function recordedEntries(ctx: PolicyContext, d: Demand): LogEntry[] {
  const scope = String(d.id);
  const targets = [
    ...d.targets.meetings.map((m) => ctx.log.pseudonym('meeting', m, scope)),
    ...d.targets.accounts.map((a) => ctx.log.pseudonym('account', a, scope)),
    ...d.targets.unmatchedEmails.map((e) => ctx.log.pseudonym('account', e, scope)),
  ];
  // Under a gag the public entry carries a salted commitment instead of who asked and under
  // which reference and law; demand.gag-ended opens it (the salt is a keyed pseudonym of the
  // demand, so it need not be stored, and nobody without the key can test guesses against it).
  const named = d.gag.active
    ? { commitment: sha256Hex(gagCommitmentInput({ authority: d.authority, legalBasis: d.legalBasis, reference: d.reference, salt: gagSalt(ctx, d.id) })) }
    : { authority: d.authority, legalBasis: d.legalBasis, reference: d.reference };
  const base = {
    v: 1 as const,
    type: 'demand.recorded' as const,
    at: d.createdAt,
    demandId: scope,
    ...named,
    jurisdiction: d.jurisdiction,
    receivedAt: d.receivedAt,
    asked: d.asks.map(askForLog),
    targets,
    gag: { active: d.gag.active, until: d.gag.until },
    expiresAt: d.expiresAt,
    recordedBy: ctx.log.pseudonym('operator', d.recordedBy, OPERATOR_SCOPE),
  };
  let recorded: LogEntry = base;
  if (d.document) {
    // Adapter: protocol/transparency.ts may not (yet) have a field for the document hash.
    const withHash = { ...base, documentSha256: d.document.sha256 };
    if (LogEntrySchema.safeParse(withHash).success) recorded = withHash;
  }
  const out: LogEntry[] = [recorded];
  if (d.asks.some((a) => a.kind === 'hand-over-data')) {
    out.push({
      v: 1,
      type: 'data-request.refused',
      at: d.createdAt,
      demandId: scope,
      jurisdiction: d.jurisdiction,
      reason: 'Parley has no path that hands user data or meeting content to an authority',
    });
  }
  return out;
}

/**
 * Record a demand. Nothing is enforced until a second person approves it. A demand that only
 * asks for data is recorded and refused at once (data-request.refused on the log).
 */
export async function recordDemand(ctx: PolicyContext, input: DemandInput, recordedBy: string, doc: DemandDocument | null): Promise<Demand> {
  const jurisdiction = checkJurisdiction(input);
  const targets = await resolveTargets(ctx, input);
  const hasTargets = targets.meetings.length + targets.accounts.length + targets.unmatchedEmails.length > 0 || targets.titlePattern !== null;
  const asks = deriveAsks(input, jurisdiction, hasTargets);
  const pureData = asks.every((a) => a.kind === 'hand-over-data');
  const now = ctx.now();
  const nd: NewDemand = {
    authority: input.authority,
    jurisdiction,
    legalBasis: input.legalBasis,
    reference: input.reference,
    receivedAt: input.receivedAt,
    askedText: input.askedText,
    asks,
    targets,
    gag: input.gag ? { active: true, until: input.gag.until } : { active: false, until: null },
    expiresAt: input.expiresAt ?? null,
    state: pureData ? 'refused' : 'recorded',
    recordedBy,
    createdAt: now,
  };
  const d = await ctx.store.insertDemand(nd, doc);
  try {
    await ctx.log.appendMany(recordedEntries(ctx, d));
  } catch (err) {
    await ctx.store.deleteDemand(d.id); // not on the record, so not recorded at all
    throw err;
  }
  return d;
}

const locks = new Map<number, Promise<unknown>>();
/** One state change per demand at a time, so a decision is never logged twice. */
function serial<T>(id: number, fn: () => Promise<T>): Promise<T> {
  const run = (locks.get(id) ?? Promise.resolve()).then(fn, fn);
  const tail = run.catch(() => undefined);
  locks.set(id, tail);
  void tail.then(() => locks.get(id) === tail && locks.delete(id));
  return run;
}

async function mustGet(ctx: PolicyContext, id: number): Promise<Demand> {
  const d = await ctx.store.getDemand(id);
  if (!d) throw new AppError('NOT_FOUND', 'No such demand.');
  return d;
}

function requireState(d: Demand, ...states: DemandState[]): void {
  const refused = stateRefusal(d, ...states);
  if (refused) throw refused;
}

export async function attachDocument(ctx: PolicyContext, id: number, doc: DemandDocument): Promise<Demand> {
  return serial(id, async () => {
    const d = await mustGet(ctx, id);
    requireState(d, 'recorded');
    if (d.document) throw new AppError('DEMAND_STATE', 'This demand already has its document.');
    if (!(await ctx.store.attachDocument(id, doc))) throw new AppError('DEMAND_STATE', 'This demand already has its document.');
    return mustGet(ctx, id);
  });
}

/**
 * One state change, once across the cluster: under the demand's lock (PolicyStore.exclusive
 * on PostgreSQL; this process's lock otherwise) `step` re-reads the demand, appends its log
 * entry (write-ahead) and returns the change to make, or null to change nothing. Hooks hear of
 * it before and after the commit.
 */
async function transitionOnce<T>(
  ctx: PolicyContext,
  id: number,
  step: (d: Demand | null) => Promise<{ from: DemandState; patch: DemandPatch & { state: DemandState }; result: T } | { result: T }>,
): Promise<T> {
  const run = async (lock: DemandLock): Promise<T> => {
    const next = await step(lock.current);
    if (!('from' in next)) return next.result;
    const to = next.patch.state;
    notify(ctx, (h) => h.demandChanging?.(id, to));
    let ok = false;
    try {
      ok = await lock.transition(next.from, next.patch);
    } finally {
      if (!ok) notify(ctx, (h) => h.demandChanged?.(id, to, false));
    }
    // Under the lock the state was re-read, so a failed compare-and-set means storage changed under us.
    if (!ok) throw new AppError('DEMAND_STATE');
    return next.result;
  };
  const store = ctx.store;
  const committed = await (store.exclusive
    ? store.exclusive(id, run)
    : (async () => run({ current: await store.getDemand(id), transition: (from, patch) => store.transition(id, from, patch) }))());
  return committed;
}

function announce(ctx: PolicyContext, id: number, to: DemandState): void {
  notify(ctx, (h) => h.demandChanged?.(id, to, true));
}

/**
 * Second person approves: logged, made active (joins refused from now), then enforced on this
 * node's meetings (enforceDemand: outcomes only for meetings hosted here). Other nodes act on
 * theirs when they hear of it.
 */
export async function approveDemand(
  ctx: PolicyContext,
  id: number,
  approverId: string,
  /** Whether two accounts may be one person (commands.ts RoleLedger): then they are not two people. */
  linked: (a: string, b: string) => Promise<boolean> = () => Promise.resolve(false),
): Promise<{ demand: Demand; outcomes: Awaited<ReturnType<typeof enforceDemand>> }> {
  return serial(id, async () => {
    const active = await transitionOnce(ctx, id, async (d) => {
      if (!d) throw new AppError('NOT_FOUND', 'No such demand.');
      const now = ctx.now();
      const refused = await demandActionRefusal(d, 'approve', approverId, now, () => linked(d.recordedBy, approverId));
      if (refused) throw refused;
      if (!d.document) throw new AppError('DEMAND_STATE', 'Attach the demand document before approval.'); // refused above; narrows the type
      await ctx.log.append({
        v: 1,
        type: 'demand.decided',
        at: now,
        demandId: String(id),
        decision: 'approved',
        by: ctx.log.pseudonym('operator', approverId, OPERATOR_SCOPE),
        reason: `approved after review of document sha256:${d.document.sha256}`,
      });
      const result: Demand = { ...d, state: 'approved', decidedBy: approverId, decidedAt: now };
      return { from: 'recorded', patch: { state: 'approved', decidedBy: approverId, decidedAt: now }, result };
    });
    ctx.active.set(id, active);
    announce(ctx, id, 'approved');
    const outcomes = await enforceDemand(ctx, active, { approving: true });
    if (outcomes.length > 0) await ctx.store.addOutcomes(id, outcomes);
    return { demand: active, outcomes };
  });
}

export async function rejectDemand(ctx: PolicyContext, id: number, approverId: string, reason: string | undefined): Promise<Demand> {
  return serial(id, async () => {
    await transitionOnce(ctx, id, async (d) => {
      if (!d) throw new AppError('NOT_FOUND', 'No such demand.');
      const now = ctx.now();
      const refused = await demandActionRefusal(d, 'reject', approverId, now, () => Promise.resolve(false));
      if (refused) throw refused;
      const entry: LogEntry = {
        v: 1,
        type: 'demand.decided',
        at: now,
        demandId: String(id),
        decision: 'rejected',
        by: ctx.log.pseudonym('operator', approverId, OPERATOR_SCOPE),
      };
      if (reason !== undefined) entry.reason = reason;
      await ctx.log.append(entry);
      return { from: 'recorded', patch: { state: 'rejected', decidedBy: approverId, decidedAt: now, decisionReason: reason ?? null }, result: null };
    });
    announce(ctx, id, 'rejected');
    return mustGet(ctx, id);
  });
}

export async function liftDemand(ctx: PolicyContext, id: number, by: string, reason: string | undefined): Promise<Demand> {
  return serial(id, async () => {
    await transitionOnce(ctx, id, async (d) => {
      if (!d) throw new AppError('NOT_FOUND', 'No such demand.');
      if (d.state !== 'approved') ctx.active.delete(id); // ended elsewhere: stop acting here too
      const now = ctx.now();
      const refused = await demandActionRefusal(d, 'lift', by, now, () => Promise.resolve(false));
      if (refused) throw refused;
      const entry: LogEntry = { v: 1, type: 'demand.lifted', at: now, demandId: String(id), by: ctx.log.pseudonym('operator', by, OPERATOR_SCOPE) };
      if (reason !== undefined) entry.reason = reason;
      await ctx.log.append(entry);
      return { from: 'approved', patch: { state: 'lifted', endedBy: by, endedAt: now }, result: null };
    });
    ctx.active.delete(id);
    announce(ctx, id, 'lifted');
    return mustGet(ctx, id);
  });
}

/**
 * Approved demands whose expiry has passed stop acting (logged first). Every node's timer may
 * race on the same demand: under the lock only the first finds it still approved and logs
 * `demand.expired`; the others find it ended and only stop acting on it. Returns how many were due.
 */
export async function expireDue(ctx: PolicyContext): Promise<number> {
  const now = ctx.now();
  const due = [...ctx.active.values()].filter((d) => d.expiresAt !== null && d.expiresAt <= now);
  for (const d of due) {
    await serial(d.id, async () => {
      if (!ctx.active.has(d.id)) return;
      const expiredHere = await transitionOnce(ctx, d.id, async (cur) => {
        if (!cur || cur.state !== 'approved') return { result: false }; // lifted or expired already (maybe by another node)
        await ctx.log.append({ v: 1, type: 'demand.expired', at: now, demandId: String(d.id) });
        return { from: 'approved', patch: { state: 'expired', endedAt: now }, result: true };
      });
      ctx.active.delete(d.id);
      if (expiredHere) announce(ctx, d.id, 'expired');
    });
  }
  return due.length;
}

export { PERFORMABLE_ASKS };

const published = new WeakMap<PolicyContext, Set<number>>();

/** Whether this exact entry is already on the log (by its RFC 9162 leaf hash); false when the log cannot say. */
async function onLog(ctx: PolicyContext, entry: LogEntry): Promise<boolean> {
  const log = ctx.log;
  if (!log.size || !log.inclusionProof) return false;
  const leaf = createHash('sha256')
    .update(Buffer.from([0]))
    .update(canonicalJson(entry), 'utf8')
    .digest('base64');
  try {
    await log.inclusionProof(leaf, log.size());
    return true;
  } catch {
    return false;
  }
}

/**
 * A gag delays, never erases: once a recorded gag's end date has passed, `demand.gag-ended`
 * publishes the authority, reference and legal basis and the commitment's salt, so anyone can
 * check the commitment on `demand.recorded`. The entry is exactly determined by the demand (its
 * time is the gag's end), so a node that finds it already on the log does not append it again.
 * Returns how many were published now.
 */
export async function publishEndedGags(ctx: PolicyContext): Promise<number> {
  const now = ctx.now();
  let done = published.get(ctx);
  if (!done) published.set(ctx, (done = new Set()));
  let n = 0;
  for (const d of await ctx.store.listDemands()) {
    if (!d.gag.active || d.gag.until === null || d.gag.until > now || done.has(d.id)) continue;
    const entry: LogEntry = {
      v: 1,
      type: 'demand.gag-ended',
      at: d.gag.until,
      demandId: String(d.id),
      authority: d.authority,
      legalBasis: d.legalBasis,
      reference: d.reference,
      salt: gagSalt(ctx, d.id),
    };
    await serial(d.id, async () => {
      if (done.has(d.id)) return;
      if (!(await onLog(ctx, entry))) {
        await ctx.log.append(entry);
        n++;
      }
      done.add(d.id);
    });
  }
  return n;
}
