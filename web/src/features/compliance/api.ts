/** REST calls of the policy console (see docs/policy.md). */
import { ApiError, apiFetch } from '../../lib/api.js';

export type AskKind = 'block-participants' | 'end-meeting' | 'close-account' | 'suspend-account' | 'delete-content' | 'hand-over-data' | 'restrict-signup' | 'other';
export const ASK_KINDS: AskKind[] = ['block-participants', 'end-meeting', 'close-account', 'suspend-account', 'delete-content', 'hand-over-data', 'restrict-signup', 'other'];

export interface Demand {
  id: number;
  authority: string;
  jurisdiction: string;
  legalBasis: string;
  reference: string;
  receivedAt: number;
  askedText: string;
  asks: { kind: AskKind; detail?: string; performed: boolean; reason?: string }[];
  targets: { meetings: string[]; accounts: string[]; unmatchedEmails: string[]; titlePattern: string | null };
  gag: { active: boolean; until: number | null };
  expiresAt: number | null;
  state: 'recorded' | 'approved' | 'rejected' | 'lifted' | 'expired' | 'refused';
  recordedBy: string;
  decidedBy: string | null;
  document: { sha256: string; filename: string; contentType: string; size: number } | null;
  expired: boolean;
  gagInForce: boolean;
}
export interface Preview {
  demandId: number;
  jurisdiction: string;
  meetings: { meetingId: string; title: string | null; live: boolean; inJurisdiction: number; outside: number; action: 'remove' | 'no action needed' }[];
  accountSessions: number;
  totals: { inJurisdiction: number; outsideAffected: 0 };
}
export interface Outcome { meetingId: string; outcome: 'removed' | 'no-action'; count: number; at: number }
export interface Restriction { mode: 'block' | 'allow'; countries: string[]; unknown: 'allow' | 'block' }
export interface AccountPolicyRow { country: string; individualSignupDisabled: boolean; businessRequiresVerification: boolean }
export interface AdminUser { id: string; email: string; displayName: string; roles: string[]; accountType: string; status: string; businessVerified: boolean }

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
  putRestriction: (path: string, r: Restriction) => apiFetch<{ restriction: Restriction }>('PUT', path, r),
  getAccountPolicy: () => apiFetch<{ policies: AccountPolicyRow[] }>('GET', '/api/admin/account-policy'),
  putAccountPolicy: (policies: AccountPolicyRow[]) => apiFetch<{ policies: AccountPolicyRow[] }>('PUT', '/api/admin/account-policy', { policies }),
  listUsers: () => apiFetch<{ users: AdminUser[] }>('GET', '/api/admin/users'),
  setRoles: (id: string, roles: string[]) => apiFetch<{ user: AdminUser }>('PUT', `/api/admin/users/${enc(id)}/roles`, { roles }),
  verifyBusiness: (id: string) => apiFetch<unknown>('POST', `/api/admin/users/${enc(id)}/verify-business`, {}),
  suspend: (id: string, reason: string) => apiFetch<unknown>('POST', `/api/admin/users/${enc(id)}/suspend`, { reason }),
  reactivate: (id: string, reason: string) => apiFetch<unknown>('POST', `/api/admin/users/${enc(id)}/reactivate`, { reason }),
};

/** Restriction paths: instance, the signed-in host's account, one meeting. */
export const restrictionPath = {
  instance: '/api/admin/restrictions',
  account: '/api/me/restrictions',
  meeting: (id: string) => `/api/meetings/${enc(id)}/restrictions`,
};
