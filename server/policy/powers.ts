/**
 * Operator powers that wait for a second person (docs/powers.md): each is requested here, parked
 * on the CommandDesk, and when a second, unlinked admin approves, writes its log entry and only
 * then takes effect. No-op requests change and log nothing.
 */
import { AppError } from '../../protocol/errors.js';
import { BUILD_DATE_PATTERN, type LogEntry } from '../../protocol/transparency.js';
import type { InstanceRole } from '../accounts/index.js';
import { OPERATOR_SCOPE, type PolicyContext } from './context.js';
import type { AccountPolicyRow } from '../../protocol/policy.js';
import { accountPolicyChanges, type setAccountPolicies } from './account-policy.js';
import type { CommandDesk, PendingCommand, RoleLedger } from './commands.js';
import { currentRestriction, normalizeRestriction, sameRestriction } from './restriction-commands.js';
import type { Restriction } from './types.js';

/** The parts of accounts/ that role grants and verification need. */
export interface OperatorAccounts {
  getById(id: string): Promise<{ id: string; roles: readonly InstanceRole[]; accountType: 'individual' | 'business'; businessVerified: boolean } | null>;
  setRoles(id: string, roles: InstanceRole[]): Promise<unknown>;
  setBusinessVerified(id: string, verified: boolean): Promise<void>;
}

/** The location database, as policy/ drives it: a reload with its actor, and the write-ahead gate. */
export interface GeoHandle {
  info(): { path: string };
  reload(newPath: string | undefined, actor: { trigger: 'api' | 'signal'; by?: string; approvedBy?: string }): Promise<unknown>;
  setSwapGate(gate: ((next: GeoSwapInfo, actor: { trigger: 'api' | 'signal'; by?: string; approvedBy?: string }) => Promise<void>) | null): void;
}
export interface GeoSwapInfo {
  name: string;
  buildDate: string;
  sha256: string;
}

export type Requested<T> = { pending: PendingCommand } | { unchanged: T };

export interface PowerDeps {
  ctx: PolicyContext;
  desk: CommandDesk;
  ledger: RoleLedger;
  accounts: OperatorAccounts | null;
}

const ROLE_ORDER: readonly InstanceRole[] = ['admin', 'compliance', 'approver', 'auditor'];
const op = (ctx: PolicyContext, id: string) => ctx.log.pseudonym('operator', id, OPERATOR_SCOPE);

/** Instance country restriction: two admins; `restriction.changed` and one `restriction.removed` per removal, first. */
export async function requestInstanceRestriction(deps: PowerDeps, input: Restriction, by: string): Promise<Requested<Restriction>> {
  const { ctx, desk } = deps;
  const r = normalizeRestriction(input);
  if (sameRestriction(r, currentRestriction(ctx, 'instance', ''))) return { unchanged: r };
  const what = r.mode === 'block' ? `block ${r.countries.join(', ') || 'no country'}` : `allow only ${r.countries.join(', ') || 'no country'}`;
  return { pending: await desk.request('restriction.instance', by, `Instance restriction: ${what}; unknown locations ${r.unknown}`, { ...r }) };
}

/** Grant or revoke operator roles: two admins, `role.changed` first; the approver is never the account changed. */
export async function requestRoleChange(deps: PowerDeps, userId: string, roles: InstanceRole[], by: string): Promise<Requested<readonly InstanceRole[]>> {
  const { desk, accounts } = deps;
  if (!accounts) throw new AppError('INTERNAL');
  const target = await accounts.getById(userId);
  if (!target) throw new AppError('NOT_FOUND', 'No such user.');
  const next = ROLE_ORDER.filter((r) => roles.includes(r));
  const granted = next.filter((r) => !target.roles.includes(r));
  const revoked = target.roles.filter((r) => !next.includes(r));
  if (granted.length === 0 && revoked.length === 0) return { unchanged: target.roles };
  const summary = [granted.length > 0 ? `grant ${granted.join(', ')}` : '', revoked.length > 0 ? `revoke ${revoked.join(', ')}` : '']
    .filter(Boolean)
    .join('; ');
  const details = { userId, granted, revoked, before: [...target.roles], roles: next };
  return { pending: await desk.request('role.change', by, `Roles of account ${userId}: ${summary}`, details) };
}

/** Business (un)verification: it lets an account host or refuses it, so two admins; logged first. */
export async function requestVerification(deps: PowerDeps, userId: string, verified: boolean, by: string): Promise<Requested<boolean>> {
  const { desk, accounts } = deps;
  if (!accounts) throw new AppError('INTERNAL');
  const target = await accounts.getById(userId);
  if (!target) throw new AppError('NOT_FOUND', 'No such user.');
  if (target.accountType !== 'business') throw new AppError('VALIDATION_FAILED', 'Only business accounts are verified.');
  if (target.businessVerified === verified) return { unchanged: verified };
  const summary = `${verified ? 'Verify' : 'Withdraw the verification of'} business account ${userId}`;
  return { pending: await desk.request('business.verification', by, summary, { userId, verified }) };
}

/** The gate every location database swap passes: `geo.database-changed` (hash, name, build date, who) first. */
export function geoSwapGate(ctx: PolicyContext) {
  return async (next: GeoSwapInfo, actor: { trigger: 'api' | 'signal'; by?: string; approvedBy?: string }): Promise<void> => {
    const entry: LogEntry = {
      v: 1,
      type: 'geo.database-changed',
      at: ctx.now(),
      sha256: next.sha256,
      database: next.name.slice(0, 200),
      databaseBuildDate: buildDateOf(next.buildDate),
      trigger: actor.trigger,
    };
    if (actor.by !== undefined) entry.by = op(ctx, actor.by);
    if (actor.approvedBy !== undefined) entry.approvedBy = op(ctx, actor.approvedBy);
    await ctx.log.append(entry);
  };
}

function buildDateOf(raw: string): string {
  if (BUILD_DATE_PATTERN.test(raw)) return raw;
  const t = Date.parse(raw);
  return Number.isNaN(t) ? '1970-01-01' : new Date(t).toISOString();
}

/**
 * Location database swap or reload through the API: two admins, whether or not a demand is
 * active (a swap moves people in or out of every jurisdiction at once). The swap gate logs the
 * new file's SHA-256 before it is used.
 */
export async function requestGeoReload(deps: PowerDeps, geo: GeoHandle | null, path: string | undefined, by: string): Promise<Requested<never>> {
  if (!geo) throw new AppError('INTERNAL');
  const target = path ?? geo.info().path;
  return { pending: await deps.desk.request('geo.reload', by, `Location database: load ${target}`, { path: target, named: path !== undefined }) };
}

/** Suspension and reactivation refuse or let back an account: two admins; logged first (account.suspended/.reactivated). */
export async function requestAccountStatus(
  deps: PowerDeps,
  userId: string,
  status: 'active' | 'suspended',
  reason: string,
  by: string,
): Promise<Requested<'active' | 'suspended'>> {
  const { ctx, desk } = deps;
  const user = await ctx.accounts?.getById(userId);
  if (!user) throw new AppError('NOT_FOUND', 'No such user.');
  if (user.status === status) throw new AppError('OUT_OF_ORDER', `The account is already ${status}.`);
  const summary = `${status === 'suspended' ? 'Suspend' : 'Reactivate'} account ${userId}: ${reason}`;
  return { pending: await desk.request('account.status', by, summary, { userId, status, reason }) };
}

/** The account policy per jurisdiction refuses sign-ups or hosting there: two admins; one entry per changed country, first. */
export async function requestAccountPolicies(
  deps: PowerDeps,
  rows: Parameters<typeof setAccountPolicies>[1],
  by: string,
): Promise<Requested<AccountPolicyRow[]>> {
  const { ctx, desk } = deps;
  const changed = accountPolicyChanges(ctx, rows);
  if (changed.length === 0) return { unchanged: [...ctx.accountPolicies.values()].sort((a, b) => a.country.localeCompare(b.country)) };
  return { pending: await desk.request('account-policy', by, `Account policy: change the rules for ${changed.join(', ')}`, { policies: rows }) };
}
