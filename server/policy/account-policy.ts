/**
 * Account policy per jurisdiction (sign-up restrictions, business verification) and admin
 * suspension. Suspension is an admin action only: no demand can reach it.
 */
import { AppError } from '../../protocol/errors.js';
import type { EntryOf, LogEntry } from '../../protocol/transparency.js';
import type { AccountType, SignupGuard } from '../accounts/index.js';
import type { ParticipantLocation } from '../meetings/index.js';
import { ACCOUNT_SCOPE, notify, OPERATOR_SCOPE, targetsAccount, type PolicyContext } from './context.js';
import { enforcementEntry, legalNotice } from './entries.js';
import { inScope } from './scope.js';
import { country } from './schemas.js';
import type { AccountPolicy } from './types.js';

/** accounts.setSignupGuard(...): applied by the sign-up's location. Unknown location: no restriction. */
export function signupGuard(ctx: PolicyContext): SignupGuard {
  return ({ country: c, accountType }) => {
    const p = c === null ? undefined : ctx.accountPolicies.get(c);
    if (p && accountType === 'individual' && p.individualSignupDisabled) {
      return Promise.reject(new AppError('SIGNUP_RESTRICTED', undefined, { country: c, accountType, allowed: ['business'] }));
    }
    return Promise.resolve();
  };
}

export interface HostingUser {
  id: string;
  accountType: AccountType;
  businessVerified: boolean;
  signupCountry: string | null;
}

/**
 * May this user host (create a meeting) from here? Refuses an unverified business account
 * where the account policy of its sign-up country requires verification, and an account a
 * demand targets when the user is located in that demand's jurisdiction (logged first).
 */
export async function assertMayHost(ctx: PolicyContext, user: HostingUser, location?: ParticipantLocation): Promise<void> {
  const p = user.signupCountry === null ? undefined : ctx.accountPolicies.get(user.signupCountry);
  if (user.accountType === 'business' && !user.businessVerified && p?.businessRequiresVerification) {
    throw new AppError('BUSINESS_VERIFICATION_REQUIRED', undefined, { country: user.signupCountry });
  }
  if (!location) return;
  const now = ctx.now();
  for (const d of ctx.active.values()) {
    if (d.expiresAt !== null && d.expiresAt <= now) continue;
    if (!targetsAccount(d, user.id) || !inScope(d, location)) continue;
    // No meeting exists yet: the refused "meeting" is the one this account tried to create.
    await ctx.log.append(enforcementEntry(ctx, d, 'enforcement.refused', `new-meeting-by:${user.id}`, user.id, location, now));
    ctx.onAction?.('refused', d.jurisdiction);
    throw new AppError('LEGAL_RESTRICTION', undefined, legalNotice(d, now));
  }
}

type PolicyRowInput = { country: string; individualSignupDisabled: boolean; businessRequiresVerification: boolean }[];

/** Which countries' rules a new table would change (empty: a no-op, nothing to approve or log). */
export function accountPolicyChanges(ctx: PolicyContext, input: PolicyRowInput): string[] {
  const seen = new Set<string>();
  const next = new Map<string, { individualSignupDisabled: boolean; businessRequiresVerification: boolean }>();
  input.forEach((r, i) => {
    const c = country(r.country, `policies.${i}.country`);
    if (seen.has(c)) throw new AppError('VALIDATION_FAILED', `${c} is listed twice.`, [{ path: `policies.${i}.country`, message: 'duplicate' }]);
    seen.add(c);
    if (r.individualSignupDisabled || r.businessRequiresVerification) next.set(c, r);
  });
  return [...new Set([...next.keys(), ...ctx.accountPolicies.keys()])].filter((c) => {
    const before = ctx.accountPolicies.get(c);
    const after = next.get(c);
    return (
      (before?.individualSignupDisabled ?? false) !== (after?.individualSignupDisabled ?? false) ||
      (before?.businessRequiresVerification ?? false) !== (after?.businessRequiresVerification ?? false)
    );
  });
}

/** Replace the account policy table; one log entry per country whose rules changed (every field), first. */
export async function setAccountPolicies(ctx: PolicyContext, input: PolicyRowInput, by: string, approvedBy?: string): Promise<AccountPolicy[]> {
  const now = ctx.now();
  const seen = new Set<string>();
  const rows: AccountPolicy[] = input.map((r, i) => {
    const c = country(r.country, `policies.${i}.country`);
    if (seen.has(c)) throw new AppError('VALIDATION_FAILED', `${c} is listed twice.`, [{ path: `policies.${i}.country`, message: 'duplicate' }]);
    seen.add(c);
    return {
      country: c,
      individualSignupDisabled: r.individualSignupDisabled,
      businessRequiresVerification: r.businessRequiresVerification,
      updatedBy: by,
      updatedAt: now,
    };
  });
  const kept = rows.filter((r) => r.individualSignupDisabled || r.businessRequiresVerification);
  const next = new Map(kept.map((r) => [r.country, r]));
  const entries: LogEntry[] = [];
  for (const c of new Set([...next.keys(), ...ctx.accountPolicies.keys()])) {
    const before = ctx.accountPolicies.get(c);
    const after = next.get(c);
    if (before?.individualSignupDisabled === after?.individualSignupDisabled && before?.businessRequiresVerification === after?.businessRequiresVerification)
      continue;
    const entry: LogEntry = {
      v: 1,
      type: 'account-policy.changed',
      at: now,
      jurisdiction: c,
      restrictedAccountTypes: after?.individualSignupDisabled ? (['individual'] as const satisfies readonly AccountType[]).slice() : [],
      businessVerificationRequired: after?.businessRequiresVerification ?? false,
      demandId: null,
      by: ctx.log.pseudonym('operator', by, OPERATOR_SCOPE),
    };
    if (approvedBy !== undefined) entry.approvedBy = ctx.log.pseudonym('operator', approvedBy, OPERATOR_SCOPE);
    entries.push(entry);
  }
  if (entries.length > 0) await ctx.log.appendMany(entries);
  await ctx.store.replaceAccountPolicies(kept);
  notify(ctx, (h) => h.accountPoliciesChanged?.());
  ctx.accountPolicies.clear();
  for (const r of kept) ctx.accountPolicies.set(r.country, r);
  return kept;
}

/** Admin suspension or reactivation; on the log before it takes effect. Never reachable from a demand. */
export async function setAccountStatus(
  ctx: PolicyContext,
  userId: string,
  status: 'active' | 'suspended',
  reason: string,
  by: string,
  approvedBy?: string,
): Promise<void> {
  const accounts = ctx.accounts;
  if (!accounts) throw new AppError('INTERNAL');
  const user = await accounts.getById(userId);
  if (!user) throw new AppError('NOT_FOUND', 'No such user.');
  if (user.status === status) throw new AppError('OUT_OF_ORDER', `The account is already ${status}.`);
  const entry: EntryOf<'account.suspended' | 'account.reactivated'> = {
    v: 1,
    type: status === 'suspended' ? 'account.suspended' : 'account.reactivated',
    at: ctx.now(),
    account: ctx.log.pseudonym('account', userId, ACCOUNT_SCOPE),
    reason,
    demandId: null,
    by: ctx.log.pseudonym('operator', by, OPERATOR_SCOPE),
  };
  if (approvedBy !== undefined) entry.approvedBy = ctx.log.pseudonym('operator', approvedBy, OPERATOR_SCOPE);
  await ctx.log.append(entry);
  await accounts.setStatus(userId, status);
}
