/** Compliance console: list, record (with document), impact preview, approve/reject, lift. */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TableRegion } from '../../components/TableRegion.js';
import { useAuth } from '../../lib/auth.js';
import { policyApi, type Demand, type Outcome, type Preview } from './api.js';
import { NewDemandForm } from './NewDemandForm.js';
import './i18n.js';
import '../admin/policy.css';
import './compliance.css';
import { errorText } from '../../lib/errors.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';

/** Why an ask is not performed, by kind (the server's English reason stays on the public record). */
const WHY_NOT: Record<string, string> = {
  'block-participants': 'noTargets',
  'hand-over-data': 'data',
  'restrict-signup': 'signup',
  other: 'other',
};

const day = (ms: number | null) => (ms === null ? '—' : new Date(ms).toISOString().slice(0, 10));

type Decision = 'approve' | 'reject' | 'lift';

function DemandDetail({ id, onChange }: { id: number; onChange: () => void }) {
  const { t } = useTranslation('policy');
  const { t: tApp } = useTranslation();
  const { user } = useAuth();
  const [d, setD] = useState<{ demand: Demand; outcomes: Outcome[] } | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The decision being confirmed in the dialog, and the reason typed there (reject and lift).
  const [deciding, setDeciding] = useState<Decision | null>(null);
  const [reason, setReason] = useState('');
  const load = useCallback(() => {
    policyApi.getDemand(id).then(setD, (e: unknown) => setError(errorText(tApp, e)));
  }, [id, tApp]);
  useEffect(load, [load]);
  if (!d)
    return (
      <section className="pl-card" data-testid="demand-detail">
        {error}
      </section>
    );
  const { demand } = d;
  const roles = user?.roles ?? [];
  // Only what the server says this user may do now (protocol/policy.ts DemandView.allowedActions).
  const may = (a: Demand['allowedActions'][number]) => demand.allowedActions.includes(a);
  const act = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      setError(null);
      load();
      onChange();
    } catch (e) {
      setError(errorText(tApp, e));
    }
  };
  const open = (decision: Decision) => {
    setReason('');
    setDeciding(decision);
  };
  const decide = (decision: Decision) => {
    const why = reason.trim() === '' ? undefined : reason.trim();
    setDeciding(null);
    switch (decision) {
      case 'approve':
        return act(() => policyApi.approve(demand.id));
      case 'reject':
        return act(() => policyApi.reject(demand.id, why));
      case 'lift':
        return act(() => policyApi.lift(demand.id, why));
    }
  };
  return (
    <section className="pl-card" data-testid="demand-detail" data-demand-id={demand.id}>
      <h2>
        #{demand.id} {demand.authority} ({demand.jurisdiction}){' '}
        <span className={`pl-badge pl-badge-${demand.state}`} data-testid="demand-detail-state" data-state={demand.state}>
          {t(`compliance.state.${demand.state}`)}
        </span>{' '}
        {demand.expired && <span className="pl-badge">{t('compliance.expiredBadge')}</span>}
      </h2>
      <p>
        {demand.legalBasis} · {demand.reference} · {day(demand.receivedAt)}
      </p>
      <blockquote lang="und">{demand.askedText}</blockquote>
      <ul>
        {demand.asks.map((a, i) => (
          <li key={i} data-testid="demand-ask" data-kind={a.kind} data-performed={a.performed}>
            <strong>{t(`compliance.askKinds.${a.kind}`)}</strong>:{' '}
            {a.performed
              ? t('compliance.performed')
              : `${t('compliance.notPerformed')} — ${t(`compliance.whyNot.${WHY_NOT[a.kind] ?? 'outside'}`, { jurisdiction: demand.jurisdiction })}`}
          </li>
        ))}
      </ul>
      {demand.document ? (
        <p className="pl-detail-doc">
          {demand.document.filename} · {t('compliance.sha256')} <code>{demand.document.sha256}</code> ·{' '}
          <a href={`/api/demands/${demand.id}/document`}>{t('compliance.download')}</a>
        </p>
      ) : (
        roles.includes('compliance') &&
        demand.state === 'recorded' && (
          <label className="pl-field">
            {t('compliance.uploadDocument')}
            <input
              type="file"
              accept="application/pdf,image/png,image/jpeg,text/plain"
              onChange={(e) => {
                const f = e.target.files?.[0];
                if (f) void act(() => policyApi.attachDocument(demand.id, f));
              }}
            />
          </label>
        )
      )}
      {may('preview') && (
        <>
          <h3>{t('compliance.preview')}</h3>
          <button
            type="button"
            data-testid="load-preview"
            onClick={() =>
              void policyApi.preview(demand.id).then(
                (p) => setPreview(p.preview),
                (e: unknown) => setError(errorText(tApp, e)),
              )
            }
          >
            {t('compliance.loadPreview')}
          </button>
        </>
      )}
      {preview && (
        <>
          <p className="pl-summary" data-testid="preview-summary">
            {t('compliance.previewSummary', { count: preview.totals.inJurisdiction, jurisdiction: preview.jurisdiction })}
          </p>
          <TableRegion label={t('compliance.preview')}>
            <table className="pl-table" data-testid="preview-table">
              <thead>
                <tr>
                  <th>{t('compliance.meeting')}</th>
                  <th>{t('compliance.inJurisdiction', { jurisdiction: preview.jurisdiction })}</th>
                  <th>{t('compliance.outside')}</th>
                  <th>{t('compliance.action')}</th>
                </tr>
              </thead>
              <tbody>
                {preview.meetings.map((m) => (
                  <tr key={m.meetingId} data-testid="preview-row" data-meeting-id={m.meetingId}>
                    <td>
                      {m.meetingId}
                      {m.live ? '' : ` (${t('compliance.notLive')})`}
                    </td>
                    <td>{m.inJurisdiction}</td>
                    <td>{m.outside}</td>
                    <td>{m.action === 'remove' ? t('compliance.actionRemove') : t('compliance.actionNone')}</td>
                  </tr>
                ))}
                {preview.patternMatched.meetings > 0 && (
                  <tr data-testid="preview-pattern-row">
                    <td>{t('compliance.patternMatched', { count: preview.patternMatched.meetings })}</td>
                    <td>{preview.patternMatched.inJurisdiction}</td>
                    <td>{preview.patternMatched.outside}</td>
                    <td>{preview.patternMatched.inJurisdiction > 0 ? t('compliance.actionRemove') : t('compliance.actionNone')}</td>
                  </tr>
                )}
              </tbody>
            </table>
          </TableRegion>
        </>
      )}
      {d.outcomes.length > 0 && (
        <>
          <h3>{t('compliance.outcomes')}</h3>
          <ul>
            {d.outcomes.map((o, i) => (
              <li key={i}>
                {o.meetingId}: {o.outcome === 'removed' ? t('compliance.outcomeRemoved', { count: o.count }) : t('compliance.outcomeNone')}
              </li>
            ))}
          </ul>
        </>
      )}
      <div className="pl-row pl-actions">
        {demand.state === 'recorded' && demand.recordedBy === user?.id && <p data-testid="second-person-needed">{t('compliance.secondPersonNeeded')}</p>}
        {may('approve') && (
          <button type="button" className="pl-danger" data-testid="approve-demand" onClick={() => open('approve')}>
            {t('compliance.approve')}
          </button>
        )}
        {may('reject') && (
          <button type="button" data-testid="reject-demand" onClick={() => open('reject')}>
            {t('compliance.reject')}
          </button>
        )}
        {may('lift') && (
          <button type="button" data-testid="lift-demand" onClick={() => open('lift')}>
            {t('compliance.lift')}
          </button>
        )}
      </div>
      <ConfirmDialog
        open={deciding !== null}
        testId="decision-dialog"
        title={deciding ? t(`compliance.${deciding}`) : ''}
        body={deciding ? t(`compliance.confirm.${deciding}`, { id: demand.id, jurisdiction: demand.jurisdiction }) : ''}
        confirmLabel={deciding ? t(`compliance.${deciding}`) : ''}
        danger={deciding === 'approve'}
        onConfirm={() => deciding && void decide(deciding)}
        onCancel={() => setDeciding(null)}
      >
        {(deciding === 'reject' || deciding === 'lift') && (
          <label className="pl-field">
            {t('compliance.reason')}
            <textarea data-testid="decision-reason" value={reason} maxLength={2000} onChange={(e) => setReason(e.target.value)} />
          </label>
        )}
      </ConfirmDialog>
      {error && (
        <p role="alert" className="pl-error" data-testid="demand-error">
          {error}
        </p>
      )}
    </section>
  );
}

export default function CompliancePage() {
  const { t } = useTranslation('policy');
  const { t: tApp } = useTranslation();
  const { user, loading } = useAuth();
  const [demands, setDemands] = useState<Demand[]>([]);
  const [selected, setSelected] = useState<number | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const allowed = !!user && ['compliance', 'approver', 'admin', 'auditor'].some((r) => user.roles.includes(r as never));
  const load = useCallback(() => {
    if (allowed)
      policyApi.listDemands().then(
        (r) => setDemands(r.demands),
        (e: unknown) => setMessage(errorText(tApp, e)),
      );
  }, [allowed, tApp]);
  useEffect(load, [load]);
  if (loading) return <main id="main" className="pl-page" aria-busy="true" />;
  if (!allowed)
    return (
      <main id="main" className="pl-page">
        <p>{t('compliance.forbidden')}</p>
      </main>
    );
  return (
    <main id="main" className="pl-page pl-compliance">
      <h1>{t('compliance.title')}</h1>
      <p>{t('compliance.intro')}</p>
      {message && (
        <p role="status" className="pl-status" data-testid="compliance-message">
          {message}
        </p>
      )}
      <div className="pl-split">
        <section className="pl-card">
          <h2>{t('compliance.list')}</h2>
          {demands.length === 0 && <p>{t('compliance.empty')}</p>}
          <ul className="pl-options" data-testid="demand-list">
            {demands.map((d) => (
              <li key={d.id} data-testid="demand-item" data-demand-id={d.id} data-state={d.state}>
                <button type="button" aria-current={selected === d.id} onClick={() => setSelected(d.id)}>
                  #{d.id} {d.jurisdiction} · {d.authority} · <span className={`pl-badge pl-badge-${d.state}`}>{t(`compliance.state.${d.state}`)}</span>
                </button>
              </li>
            ))}
          </ul>
        </section>
        <div>
          {selected !== null && <DemandDetail key={selected} id={selected} onChange={load} />}
          {user.roles.includes('compliance') && (
            <NewDemandForm
              onDone={(m) => {
                setMessage(m);
                load();
              }}
            />
          )}
        </div>
      </div>
    </main>
  );
}

export { CompliancePage };
