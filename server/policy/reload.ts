/**
 * [cluster] Bring this engine's state in line with what storage says is in force: the one way
 * the cluster reconciles policy (engine.reloadFromStore), never by writing the engine's caches.
 */
import { restrictionKey, type PolicyContext } from './context.js';
import type { Restriction, RestrictionScope } from './types.js';

export interface Reloaded {
  /** Demands approved elsewhere that are active here from now on (engine.enforceApproved acts on them). */
  approved: number[];
  /** Restrictions that changed here: live participants of the meetings they cover need a re-check. */
  restrictions: { scope: RestrictionScope; subject: string }[];
}

const same = (a: Restriction | undefined, b: Restriction): boolean => a !== undefined && JSON.stringify(a) === JSON.stringify(b);

/**
 * Approved demands (`skip`: ones this node is approving itself right now), restrictions and the
 * account policy, from storage. Idempotent: a second call with nothing new changes nothing.
 */
export async function reloadFromStore(ctx: PolicyContext, skip: ReadonlySet<number>): Promise<Reloaded> {
  const approved = await ctx.store.listDemandsInState('approved');
  const ids = new Set(approved.map((d) => d.id));
  for (const id of [...ctx.active.keys()]) if (!ids.has(id)) ctx.active.delete(id); // lifted or expired elsewhere
  const fresh: number[] = [];
  for (const d of approved) {
    if (ctx.active.has(d.id) || skip.has(d.id)) continue;
    ctx.active.set(d.id, d); // joins are refused from this moment
    fresh.push(d.id);
  }
  const changed: Reloaded['restrictions'] = [];
  const seen = new Set<string>();
  for (const r of await ctx.store.listRestrictions()) {
    const key = restrictionKey(r.scope, r.subject);
    seen.add(key);
    const next: Restriction = { mode: r.mode, countries: r.countries, unknown: r.unknown };
    if (same(ctx.restrictions.get(key), next)) continue;
    ctx.restrictions.set(key, next);
    changed.push({ scope: r.scope, subject: r.subject });
  }
  for (const key of [...ctx.restrictions.keys()]) {
    if (seen.has(key)) continue;
    ctx.restrictions.delete(key);
    const [scope = '', subject = ''] = key.split(/:(.*)/s);
    if (scope === 'instance' || scope === 'account' || scope === 'meeting') changed.push({ scope, subject });
  }
  const policies = await ctx.store.listAccountPolicies();
  ctx.accountPolicies.clear();
  for (const p of policies) ctx.accountPolicies.set(p.country, p);
  return { approved: fresh, restrictions: changed };
}
