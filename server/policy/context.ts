/** State shared by the policy modules: ports, caches of what is in force, and the clock. */
import type { EnforcementPort, MeetingRecord } from '../meetings/index.js';
import type { AccountPolicy, ClusterRosterView, Demand, PolicyHooks, PolicyLog, PolicyStore, Restriction, RestrictionScope } from './types.js';

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
  port(): EnforcementPort | null;
  /** Approved demands, by id: the only ones that can act. */
  active: Map<number, Demand>;
  /** Restrictions in force, keyed `scope:subject`. */
  restrictions: Map<string, Restriction>;
  accountPolicies: Map<string, AccountPolicy>;
  onAction?: ((action: 'refused' | 'removed', jurisdiction: string) => void) | undefined;
  /** [cluster] Observers of committed changes (engine.addHooks). */
  hooks: PolicyHooks[];
  /** [cluster] Rosters of meetings on other nodes (engine.attachClusterRoster); null on one node. */
  clusterRoster: ClusterRosterView | null;
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

const globs = new Map<string, RegExp>();

/** Case-insensitive glob with `*`, anchored. */
export function titleMatches(pattern: string, title: string): boolean {
  let re = globs.get(pattern);
  if (!re) {
    re = new RegExp(
      `^${pattern
        .split('*')
        .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
      'i',
    );
    if (globs.size > 1000) globs.clear();
    globs.set(pattern, re);
  }
  return re.test(title);
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
