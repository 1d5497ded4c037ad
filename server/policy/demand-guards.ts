/**
 * Who may take which action on a demand, and why not: one definition, used by the action
 * commands (demands.ts, engine.ts previewImpact) to refuse and by the API to tell each reader
 * which actions it will accept from them (`allowedActions`).
 */
import { AppError } from '../../protocol/errors.js';
import type { DemandAction } from '../../protocol/policy.js';
import type { InstanceRole } from '../accounts/index.js';
import type { Demand, DemandState } from './types.js';

/** The role each action's route requires (routes.ts requireRole). */
export const DEMAND_ACTION_ROLE: Readonly<Record<DemandAction, InstanceRole>> = Object.freeze({
  approve: 'approver',
  reject: 'approver',
  lift: 'compliance',
  preview: 'approver',
});

export const DEMAND_ACTIONS = Object.keys(DEMAND_ACTION_ROLE) as DemandAction[];

export function stateRefusal(d: Demand, ...states: DemandState[]): AppError | null {
  return states.includes(d.state) ? null : new AppError('DEMAND_STATE', undefined, { state: d.state, allowed: states });
}

/**
 * Why `by` may not take `action` on `d` at `now` (roles aside), or null when it may.
 * `linked`: whether `by` and the recorder may be one person (RoleLedger.linked); asked only for approval.
 */
export async function demandActionRefusal(d: Demand, action: DemandAction, by: string, now: number, linked: () => Promise<boolean>): Promise<AppError | null> {
  switch (action) {
    case 'approve': {
      const s = stateRefusal(d, 'recorded');
      if (s) return s;
      if (d.recordedBy === by) return new AppError('SELF_APPROVAL');
      if (await linked()) return new AppError('LINKED_APPROVAL');
      if (d.expiresAt !== null && d.expiresAt <= now) return new AppError('DEMAND_EXPIRED', undefined, { expiresAt: d.expiresAt });
      if (!d.document) return new AppError('DEMAND_STATE', 'Attach the demand document before approval.');
      return null;
    }
    case 'reject':
      return (
        stateRefusal(d, 'recorded') ?? (d.recordedBy === by ? new AppError('SELF_APPROVAL', 'The person who recorded a demand cannot decide on it.') : null)
      );
    case 'preview':
      if (d.state !== 'recorded')
        return new AppError('DEMAND_STATE', 'Only a demand awaiting approval can be previewed.', { state: d.state, allowed: ['recorded'] });
      return d.recordedBy === by ? new AppError('SELF_APPROVAL', 'The preview is for the second person, who decides on the demand.') : null;
    case 'lift':
      return stateRefusal(d, 'approved');
  }
}

/** The actions the server would accept from this user on this demand now: role, then demandActionRefusal. */
export async function allowedDemandActions(
  d: Demand,
  user: { id: string; roles: readonly InstanceRole[] },
  now: number,
  linked: () => Promise<boolean>,
): Promise<DemandAction[]> {
  const out: DemandAction[] = [];
  for (const a of DEMAND_ACTIONS) {
    if (!user.roles.includes(DEMAND_ACTION_ROLE[a])) continue;
    if (!(await demandActionRefusal(d, a, user.id, now, linked))) out.push(a);
  }
  return out;
}
