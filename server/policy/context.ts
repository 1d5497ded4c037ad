/** State shared by the policy modules: ports, caches of what is in force, and the clock. */
import type { EnforcementPort, MeetingRecord } from '../meetings/index.js';

/**
 * What policy/ may do to live meetings, and nothing else: survey who is where, remove with a
 * notice, tell hosts (refusing a join is the `deny` that evaluate() returns). No operation ends
 * a meeting, suspends an account or deletes anything. engine.attachPort freezes one of these.
 */
export type PolicyPort = Readonly<
  Pick<EnforcementPort, 'survey' | 'listParticipants' | 'liveMeetingIds' | 'hostOf' | 'removeForPolicy' | 'removeManyForPolicy' | 'notifyHosts'>
>;
import type { AccountPolicy, ClusterView, Demand, PolicyHooks, PolicyLog, PolicyStore, Restriction, RestrictionScope } from './types.js';

/** The parts of accounts/ that policy/ needs (admin actions and resolving emails). */
export interface PolicyAccounts {
  getById(id: string): Promise<{ id: string; status: 'active' | 'suspended'; accountType: 'individual' | 'business'; businessVerified: boolean } | null>;
  findByEmail(email: string): Promise<{ id: string } | null>;
  setStatus(id: string, status: 'active' | 'suspended'): Promise<void>;
  setBusinessVerified(id: string, verified: boolean): Promise<void>;
}

export interface PolicyContext {
  store: PolicyStore;
  log: PolicyLog;
  meetings: { get(id: string): Promise<MeetingRecord | null> };
  accounts: PolicyAccounts | null;
  now: () => number;
  port(): PolicyPort | null;
  /** Approved demands, by id: the only ones that can act. */
  active: Map<number, Demand>;
  /** Restrictions in force, keyed `scope:subject`. */
  restrictions: Map<string, Restriction>;
  accountPolicies: Map<string, AccountPolicy>;
  onAction?: ((action: 'refused' | 'removed', jurisdiction: string) => void) | undefined;
  /** [cluster] Observers of committed changes (engine.addHooks). */
  hooks: PolicyHooks[];
  /** [cluster] The other nodes (engine.attachCluster); null on one node, which hosts every meeting. */
  cluster: ClusterView | null;
}

/** Tell every hook; a failing hook never undoes or blocks a committed change. */
export function notify(ctx: PolicyContext, call: (h: PolicyHooks) => void): void {
  for (const h of ctx.hooks) {
    try {
      call(h);
    } catch {
      // observers only
    }
  }
}

export const restrictionKey = (scope: RestrictionScope, subject: string): string => `${scope}:${subject}`;

/** Pseudonym scopes for things not tied to one demand. */
export const OPERATOR_SCOPE = 'operators';
export const ACCOUNT_SCOPE = 'accounts';
export const RESTRICTION_SCOPE = 'restrictions';

/** Whether a recorded gag is in force now (it hides the authority from notices). */
export function gagInForce(d: Pick<Demand, 'gag'>, now: number): boolean {
  return d.gag.active && (d.gag.until === null || now < d.gag.until);
}

/** Most `*` wildcards a demand's title pattern may have (checked where demands are recorded). */
export const MAX_TITLE_PATTERN_STARS = 16;

/**
 * Case-insensitive glob with `*`, anchored, in linear time: the literal pieces between the
 * stars must appear in order, the first as a prefix and the last as a suffix, each found with
 * indexOf from where the previous one ended. Leftmost placement is always right for `*`-only
 * globs, so nothing ever backtracks (a regex `.*a.*a…` took seconds on a 30-character title).
 */
export function titleMatches(pattern: string, title: string): boolean {
  const parts = pattern.toLowerCase().split('*');
  const t = title.toLowerCase();
  const first = parts[0] ?? '';
  if (parts.length === 1) return t === first;
  const last = parts[parts.length - 1] ?? '';
  const end = t.length - last.length;
  if (end < first.length || !t.startsWith(first) || !t.endsWith(last)) return false;
  let pos = first.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i] ?? '';
    const at = t.indexOf(part, pos);
    if (at < 0 || at + part.length > end) return false;
    pos = at + part.length;
  }
  return true;
}

// Target lists as sets, built once per list: an enforcement pass asks for every live participant.
const asSet = new WeakMap<readonly string[], ReadonlySet<string>>();
function setOf(list: readonly string[]): ReadonlySet<string> {
  let s = asSet.get(list);
  if (!s) {
    s = new Set(list);
    asSet.set(list, s);
  }
  return s;
}

/** Does this demand name this meeting (by id or title pattern)? */
export function targetsMeeting(d: Demand, meeting: Pick<MeetingRecord, 'id' | 'title'>): boolean {
  return setOf(d.targets.meetings).has(meeting.id) || (d.targets.titlePattern !== null && titleMatches(d.targets.titlePattern, meeting.title));
}

/** Does this demand name this account? (Scope is checked separately.) */
export function targetsAccount(d: Demand, userId: string | null): boolean {
  return userId !== null && setOf(d.targets.accounts).has(userId);
}

/** Does this demand name this participant's meeting or account? (Scope is checked separately.) */
export function targetsParticipant(d: Demand, meeting: Pick<MeetingRecord, 'id' | 'title'>, userId: string | null): boolean {
  return targetsMeeting(d, meeting) || targetsAccount(d, userId);
}
