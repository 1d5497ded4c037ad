/** Instance admin: restrictions, account policy per country, users and roles, verification, suspension. */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { COUNTRY_CODES, countryName } from '../../../../protocol/countries.js';
import { TableRegion } from '../../components/TableRegion.js';
import { useAuth } from '../../lib/auth.js';
import { policyApi, restrictionPath, type AccountPolicyRow, type AdminUser, type PendingCommand } from '../compliance/api.js';
import CompliancePage from '../compliance/CompliancePage.js';
import { RestrictionsEditor } from './RestrictionsEditor.js';
import { WitnessAlarms } from './WitnessAlarms.js';
import '../compliance/i18n.js';
import './policy.css';
import { messageOf } from '../../lib/errors.js';

const ROLES = ['admin', 'compliance', 'approver', 'auditor'] as const;

/** Commands waiting for a second admin (docs/powers.md): approve or refuse; your own requests can only be withdrawn. */
function PendingApprovals({ tick, onChange }: { tick: number; onChange: () => void }) {
  const { t, i18n } = useTranslation('policy');
  const { user } = useAuth();
  const [pending, setPending] = useState<PendingCommand[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    policyApi.listApprovals().then(
      (r) => setPending(r.pending),
      (e: unknown) => setError(messageOf(e)),
    );
  }, [tick]);
  const decide = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      setError(null);
    } catch (e) {
      setError(t('compliance.error', { message: messageOf(e) }));
    }
    onChange();
  };
  return (
    <section className="pl-card" data-testid="pending-approvals">
      <h2>{t('admin.pendingTitle')}</h2>
      <p>{t('admin.pendingIntro')}</p>
      {error && (
        <p role="alert" className="pl-error">
          {error}
        </p>
      )}
      {pending.length === 0 ? (
        <p data-testid="pending-none">{t('admin.pendingNone')}</p>
      ) : (
        <ul className="pl-list">
          {pending.map((c) => (
            <li key={c.id} data-testid="pending-row" data-kind={c.kind}>
              <span>{c.summary}</span> <small>{t('admin.requestedAt', { at: new Date(c.requestedAt).toLocaleString(i18n.language) })}</small>
              <div className="pl-row">
                {c.requestedBy === user?.id ? (
                  <>
                    <span data-testid="awaiting-second">{t('admin.awaitingSecond')}</span>
                    <button type="button" onClick={() => void decide(() => policyApi.rejectCommand(c.id))}>
                      {t('admin.withdraw')}
                    </button>
                  </>
                ) : (
                  <>
                    <button
                      type="button"
                      className="pl-primary"
                      data-testid="approve-command"
                      onClick={() => void decide(() => policyApi.approveCommand(c.id))}
                    >
                      {t('admin.approveCommand')}
                    </button>
                    <button type="button" data-testid="reject-command" onClick={() => void decide(() => policyApi.rejectCommand(c.id))}>
                      {t('admin.rejectCommand')}
                    </button>
                  </>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function AccountPolicyEditor({ onRequested }: { onRequested: () => void }) {
  const { t, i18n } = useTranslation('policy');
  const [rows, setRows] = useState<AccountPolicyRow[]>([]);
  const [add, setAdd] = useState('');
  const [status, setStatus] = useState<string | null>(null);
  useEffect(() => {
    policyApi.getAccountPolicy().then(
      (r) => setRows(r.policies),
      (e: unknown) => setStatus(messageOf(e)),
    );
  }, []);
  const set = (i: number, patch: Partial<AccountPolicyRow>) => setRows(rows.map((r, j) => (i === j ? { ...r, ...patch } : r)));
  const save = async () => {
    try {
      const res = await policyApi.putAccountPolicy(
        rows.map(({ country, individualSignupDisabled, businessRequiresVerification }) => ({
          country,
          individualSignupDisabled,
          businessRequiresVerification,
        })),
      );
      if (res.pending) {
        setStatus(t('admin.sentForApproval'));
        onRequested();
      } else {
        if (res.policies) setRows(res.policies);
        setStatus(t('restrictions.saved'));
      }
    } catch (e) {
      setStatus(t('compliance.error', { message: (e as Error).message }));
    }
  };
  return (
    <section className="pl-card">
      <h2>{t('admin.accountPolicy')}</h2>
      <p>{t('admin.accountPolicyIntro')}</p>
      <TableRegion label={t('admin.accountPolicy')}>
        <table className="pl-table">
          <thead>
            <tr>
              <th>{t('admin.country')}</th>
              <th>{t('admin.individualDisabled')}</th>
              <th>{t('admin.businessVerification')}</th>
              <th>
                <span className="visually-hidden">{t('compliance.action')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={r.country}>
                <td>
                  {countryName(r.country, i18n.language)} ({r.country})
                </td>
                <td>
                  <input type="checkbox" checked={r.individualSignupDisabled} onChange={(e) => set(i, { individualSignupDisabled: e.target.checked })} />
                </td>
                <td>
                  <input
                    type="checkbox"
                    checked={r.businessRequiresVerification}
                    onChange={(e) => set(i, { businessRequiresVerification: e.target.checked })}
                  />
                </td>
                <td>
                  <button type="button" onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                    {t('admin.removeRow')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
      <div className="pl-row">
        <select value={add} onChange={(e) => setAdd(e.target.value)} aria-label={t('admin.country')}>
          <option value="">—</option>
          {COUNTRY_CODES.filter((c) => !rows.some((r) => r.country === c)).map((c) => (
            <option key={c} value={c}>
              {countryName(c, i18n.language)} ({c})
            </option>
          ))}
        </select>
        <button
          type="button"
          disabled={!add}
          onClick={() => {
            setRows([...rows, { country: add, individualSignupDisabled: true, businessRequiresVerification: true }]);
            setAdd('');
          }}
        >
          {t('admin.addCountry')}
        </button>
        <button type="button" className="pl-primary" onClick={() => void save()}>
          {t('restrictions.save')}
        </button>
      </div>
      {status && (
        <p role="status" className="pl-status">
          {status}
        </p>
      )}
    </section>
  );
}

function UsersEditor({ onRequested }: { onRequested: () => void }) {
  const { t } = useTranslation('policy');
  const [users, setUsers] = useState<AdminUser[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const load = useCallback(() => {
    policyApi.listUsers().then(
      (r) => setUsers(r.users),
      (e: unknown) => setError(messageOf(e)),
    );
  }, []);
  useEffect(load, [load]);
  const act = async (fn: () => Promise<{ pending?: PendingCommand }>) => {
    try {
      const res = await fn();
      setError(null);
      setStatus(res.pending ? t('admin.sentForApproval') : null);
      if (res.pending) onRequested();
      load();
    } catch (e) {
      setError(t('compliance.error', { message: (e as Error).message }));
    }
  };
  const withReason = (fn: (reason: string) => Promise<{ pending?: PendingCommand }>) => {
    const reason = window.prompt(t('admin.reasonPrompt'))?.trim();
    if (reason) void act(() => fn(reason));
  };
  return (
    <section className="pl-card">
      <h2>{t('admin.users')}</h2>
      {status && (
        <p role="status" className="pl-status">
          {status}
        </p>
      )}
      {error && (
        <p role="alert" className="pl-error">
          {error}
        </p>
      )}
      <p className="muted">{t('admin.emailsMasked')}</p>
      <TableRegion label={t('admin.users')}>
        <table className="pl-table">
          <thead>
            <tr>
              <th>{t('admin.emailMasked')}</th>
              <th>{t('admin.name')}</th>
              <th>{t('admin.roles')}</th>
              <th>{t('admin.type')}</th>
              <th>{t('admin.status')}</th>
              <th>
                <span className="visually-hidden">{t('compliance.action')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id}>
                <td>{u.emailMasked}</td>
                <td>{u.displayName}</td>
                <td>
                  {ROLES.map((r) => (
                    <label key={r} className="pl-badge">
                      <input
                        type="checkbox"
                        checked={u.roles.includes(r)}
                        onChange={(e) => void act(() => policyApi.setRoles(u.id, e.target.checked ? [...u.roles, r] : u.roles.filter((x) => x !== r)))}
                      />{' '}
                      {r}
                    </label>
                  ))}
                </td>
                <td>
                  {u.accountType}
                  {u.accountType === 'business' && (u.businessVerified ? ` · ${t('admin.verified')}` : '')}
                </td>
                <td>{u.status === 'suspended' ? t('admin.suspended') : t('admin.active')}</td>
                <td className="pl-row">
                  {u.accountType === 'business' && !u.businessVerified && (
                    <button type="button" onClick={() => void act(() => policyApi.verifyBusiness(u.id))}>
                      {t('admin.verify')}
                    </button>
                  )}
                  {u.status === 'active' ? (
                    <button type="button" className="pl-danger" onClick={() => withReason((r) => policyApi.suspend(u.id, r))}>
                      {t('admin.suspend')}
                    </button>
                  ) : (
                    <button type="button" onClick={() => withReason((r) => policyApi.reactivate(u.id, r))}>
                      {t('admin.reactivate')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
    </section>
  );
}

export default function AdminPage() {
  const { t } = useTranslation('policy');
  const { user, loading } = useAuth();
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((n) => n + 1), []);
  if (loading) return <main id="main" className="pl-page" aria-busy="true" />;
  if (!user?.roles.includes('admin'))
    return (
      <main id="main" className="pl-page">
        <p>{t('admin.forbidden')}</p>
      </main>
    );
  return (
    <main id="main" className="pl-page">
      <h1>{t('admin.title')}</h1>
      <PendingApprovals tick={tick} onChange={refresh} />
      <WitnessAlarms />
      <RestrictionsEditor path={restrictionPath.instance} title={t('admin.instanceRestrictions')} onRequested={refresh} />
      <AccountPolicyEditor onRequested={refresh} />
      <UsersEditor onRequested={refresh} />
    </main>
  );
}

/** Host settings: account-wide country restrictions (per-meeting: <RestrictionsEditor path={restrictionPath.meeting(id)} />). */
export function SettingsPage() {
  const { t } = useTranslation('policy');
  const { user, loading } = useAuth();
  if (loading) return <main id="main" className="pl-page" aria-busy="true" />;
  if (!user) return <main id="main" className="pl-page" />;
  return (
    <main id="main" className="pl-page">
      <RestrictionsEditor path={restrictionPath.account} title={t('restrictions.hostTitle')} />
    </main>
  );
}

// Named exports kept for the app shell's current imports (web/src/App.tsx).
export { AdminPage, CompliancePage };
