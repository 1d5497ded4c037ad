/** REST calls of the policy console (see docs/policy.md). */
import type {
  AccountPolicyRow,
  DemandOutcome as Outcome,
  DemandView as Demand,
  ImpactPreview as Preview,
  PendingCommand,
  Restriction,
} from '../../../../protocol/policy.js';
import type { AdminUserView } from '../../../../protocol/accounts.js';
import { ApiError, apiFetch } from '../../lib/api.js';

// The API's shapes are inferred from the schemas in protocol/policy.ts (type-only imports);
// the list of ask kinds is the log schema's own.
export type { AccountPolicyRow, Demand, Outcome, Preview, PendingCommand, Restriction };
/** A second-person command answers 202 with what now waits (docs/powers.md); a no-op answers the state unchanged. */
export type Waiting<T> = T & { pending?: PendingCommand };
export { ASK_KINDS, type AskKind } from '../../../../protocol/transparency.js';
/** An account in the admin list: its email masked (protocol/accounts.ts). */
export type AdminUser = AdminUserView;

async function upload<T>(path: string, form: FormData): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { method: 'POST', body: form, credentials: 'same-origin', headers: { accept: 'application/json' } });
  } catch {
    throw new ApiError('NETWORK');
  }
  const body = (await res.json().catch(() => null)) as { error?: { code: string; message?: string; details?: unknown } } | null;
  if (!res.ok) throw new ApiError(body?.error?.code ?? 'INTERNAL', body?.error?.message, res.status, body?.error?.details);
  return body as T;
}

const enc = encodeURIComponent;
export const policyApi = {
  listDemands: () => apiFetch<{ demands: Demand[] }>('GET', '/api/demands'),
  getDemand: (id: number) => apiFetch<{ demand: Demand; outcomes: Outcome[] }>('GET', `/api/demands/${id}`),
  recordDemand: (demand: unknown, file: File | null) => {
    const form = new FormData();
    form.set('demand', JSON.stringify(demand));
    if (file) form.set('document', file, file.name);
    return upload<{ demand: Demand; refused?: { code: string } }>('/api/demands', form);
  },
  attachDocument: (id: number, file: File) => {
    const form = new FormData();
    form.set('document', file, file.name);
    return upload<{ demand: Demand }>(`/api/demands/${id}/document`, form);
  },
  preview: (id: number) => apiFetch<{ preview: Preview }>('GET', `/api/demands/${id}/preview`),
  approve: (id: number) => apiFetch<{ demand: Demand; outcomes: Outcome[] }>('POST', `/api/demands/${id}/approve`, {}),
  reject: (id: number, reason?: string) => apiFetch<{ demand: Demand }>('POST', `/api/demands/${id}/reject`, reason ? { reason } : {}),
  lift: (id: number, reason?: string) => apiFetch<{ demand: Demand }>('POST', `/api/demands/${id}/lift`, reason ? { reason } : {}),
  getRestriction: (path: string) => apiFetch<{ restriction: Restriction }>('GET', path),
  putRestriction: (path: string, r: Restriction) => apiFetch<Waiting<{ restriction?: Restriction }>>('PUT', path, r),
  getAccountPolicy: () => apiFetch<{ policies: AccountPolicyRow[] }>('GET', '/api/admin/account-policy'),
  putAccountPolicy: (policies: AccountPolicyRow[]) => apiFetch<Waiting<{ policies?: AccountPolicyRow[] }>>('PUT', '/api/admin/account-policy', { policies }),
  listUsers: () => apiFetch<{ users: AdminUser[] }>('GET', '/api/admin/users'),
  setRoles: (id: string, roles: string[]) => apiFetch<Waiting<object>>('PUT', `/api/admin/users/${enc(id)}/roles`, { roles }),
  verifyBusiness: (id: string) => apiFetch<Waiting<object>>('POST', `/api/admin/users/${enc(id)}/verify-business`, {}),
  suspend: (id: string, reason: string) => apiFetch<Waiting<object>>('POST', `/api/admin/users/${enc(id)}/suspend`, { reason }),
  reactivate: (id: string, reason: string) => apiFetch<Waiting<object>>('POST', `/api/admin/users/${enc(id)}/reactivate`, { reason }),
  listApprovals: () => apiFetch<{ pending: PendingCommand[] }>('GET', '/api/admin/approvals'),
  approveCommand: (id: string) => apiFetch<unknown>('POST', `/api/admin/approvals/${enc(id)}/approve`, {}),
  rejectCommand: (id: string) => apiFetch<unknown>('POST', `/api/admin/approvals/${enc(id)}/reject`, {}),
};

/** Restriction paths: instance, the signed-in host's account, one meeting. */
export const restrictionPath = {
  instance: '/api/admin/restrictions',
  account: '/api/me/restrictions',
  meeting: (id: string) => `/api/meetings/${enc(id)}/restrictions`,
};
