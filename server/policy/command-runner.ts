/**
 * What each second-person command does once approved (docs/powers.md), rebuilt from the kind and
 * details stored with it (commands.ts CommandDesk): the desk holds rows, not closures, so a
 * command requested on one node, or before a restart, runs the same on any node. The details
 * come back from the database, a trust boundary: each kind's are parsed with zod first.
 */
import { z } from 'zod';
import { AppError } from '../../protocol/errors.js';
import { AccountPolicyRow, Restriction } from '../../protocol/policy.js';
import { INSTANCE_ROLES } from '../accounts/index.js';
import { setAccountPolicies, setAccountStatus } from './account-policy.js';
import type { CommandRunner, PendingCommand } from './commands.js';
import { ACCOUNT_SCOPE, OPERATOR_SCOPE, type PolicyContext } from './context.js';
import type { GeoHandle, PowerDeps } from './powers.js';
import { applyRestriction } from './restriction-commands.js';

const Role = z.enum(INSTANCE_ROLES);
const Details = {
  'restriction.instance': Restriction,
  'role.change': z.object({ userId: z.string(), granted: z.array(Role), revoked: z.array(Role), before: z.array(Role), roles: z.array(Role) }),
  'business.verification': z.object({ userId: z.string(), verified: z.boolean() }),
  'geo.reload': z.object({ path: z.string(), named: z.boolean() }),
  'account.status': z.object({ userId: z.string(), status: z.enum(['active', 'suspended']), reason: z.string() }),
  'account-policy': z.object({ policies: z.array(AccountPolicyRow).max(300) }),
} as const;

const op = (ctx: PolicyContext, id: string) => ctx.log.pseudonym('operator', id, OPERATOR_SCOPE);

function parse<K extends keyof typeof Details>(kind: K, c: PendingCommand): z.infer<(typeof Details)[K]> {
  const r = Details[kind].safeParse(c.details);
  if (!r.success) throw new AppError('VALIDATION_FAILED', 'A stored command could not be read back; request it again.');
  return r.data as z.infer<(typeof Details)[K]>;
}

/** The runner the desk calls with an approved command: writes the command's entry, then its effect. */
export function commandRunner(deps: PowerDeps, geo: () => GeoHandle | null): CommandRunner {
  const { ctx, ledger } = deps;
  return async (c, approver) => {
    const by = c.requestedBy;
    switch (c.kind) {
      case 'restriction.instance': {
        const r = parse('restriction.instance', c);
        const removed = await applyRestriction(ctx, 'instance', '', r, { userId: by, asOperator: true, approvedBy: approver });
        return { restriction: r, removed };
      }
      case 'role.change': {
        const { userId, granted, revoked, before, roles } = parse('role.change', c);
        const accounts = deps.accounts;
        if (!accounts) throw new AppError('INTERNAL');
        if (approver === userId) throw new AppError('SELF_APPROVAL', 'Nobody approves a change of their own roles.');
        const now = await accounts.getById(userId);
        if (!now || now.roles.join() !== before.join()) throw new AppError('OUT_OF_ORDER', 'The roles changed since this was requested; request again.');
        await ctx.log.append({
          v: 1,
          type: 'role.changed',
          at: ctx.now(),
          account: op(ctx, userId),
          granted,
          revoked,
          by: op(ctx, by),
          approvedBy: op(ctx, approver),
        });
        await accounts.setRoles(userId, roles);
        if (granted.length > 0) await ledger.note(userId, by, approver);
        return { userId, roles };
      }
      case 'business.verification': {
        const { userId, verified } = parse('business.verification', c);
        const accounts = deps.accounts;
        if (!accounts) throw new AppError('INTERNAL');
        await ctx.log.append({
          v: 1,
          type: 'account.verification-changed',
          at: ctx.now(),
          account: ctx.log.pseudonym('account', userId, ACCOUNT_SCOPE),
          verified,
          by: op(ctx, by),
          approvedBy: op(ctx, approver),
        });
        await accounts.setBusinessVerified(userId, verified);
        return { userId, businessVerified: verified };
      }
      case 'geo.reload': {
        const { path, named } = parse('geo.reload', c);
        const g = geo();
        if (!g) throw new AppError('INTERNAL');
        return { database: await g.reload(named ? path : undefined, { trigger: 'api', by, approvedBy: approver }) };
      }
      case 'account.status': {
        const { userId, status, reason } = parse('account.status', c);
        if (approver === userId) throw new AppError('SELF_APPROVAL', 'Nobody approves a change of their own account.');
        await setAccountStatus(ctx, userId, status, reason, by, approver);
        return { userId, status };
      }
      case 'account-policy': {
        const { policies } = parse('account-policy', c);
        return { policies: await setAccountPolicies(ctx, policies, by, approver) };
      }
    }
  };
}
