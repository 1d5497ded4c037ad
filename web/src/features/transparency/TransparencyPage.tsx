/**
 * /transparency — the public record: signing key, latest checkpoint, in-browser verification
 * of the log, and the transparency report (tables, charts, CSV) with how to recompute it.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ASK_KINDS, SthResponse, WellKnownResponse } from '../../../../protocol/transparency.js';
import { TableRegion } from '../../components/TableRegion.js';
import type { ReportRow, TransparencyReport } from '../../../../server/transparency/report.js';
import type { WitnessPolicy } from '../../../../server/transparency/witness-policy.js';
import type { WitnessesResponse } from '../../../../server/transparency/witness-status.js';
import { FULL_VERIFY_LIMIT, NoEd25519Error, SAMPLE_SIZE, verifyInBrowser } from './browser-verify.js';
import { ReceiptPanel } from './ReceiptPanel.js';
import { WitnessPolicyPanel } from './WitnessPolicyPanel.js';
import { fetchWitnesses, policyOf, resolvePolicy, type PinnedPolicy } from './witness-pin.js';
import { JurisdictionChart, TimelineChart } from './Charts.js';
import { ensureTransparencyI18n, NAMESPACE } from './i18n.js';
import './transparency.css';

ensureTransparencyI18n();

const V1 = '/transparency/v1';

type Verification =
  | { state: 'idle' }
  | { state: 'running'; done: number; total: number }
  | { state: 'ok'; size: number; witnessed?: { cosigned: number; of: number } | undefined }
  | { state: 'failed'; message: string; fork: boolean }
  | { state: 'unsupported' };

async function getJson<T>(url: string, parse: (v: unknown) => T): Promise<T> {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return parse(await res.json());
}

function useLogData() {
  const [key, setKey] = useState<WellKnownResponse | null>(null);
  const [sth, setSth] = useState<SthResponse | null>(null);
  const [report, setReport] = useState<TransparencyReport | null>(null);
  const [witnesses, setWitnesses] = useState<WitnessesResponse | null | undefined>(undefined);
  const [error, setError] = useState(false);
  useEffect(() => {
    let live = true;
    Promise.all([
      getJson('/.well-known/parley-transparency.json', (v) => WellKnownResponse.parse(v)),
      getJson(`${V1}/get-sth`, (v) => SthResponse.parse(v)),
      getJson(`${V1}/report`, (v) => v as TransparencyReport),
      fetchWitnesses(),
    ])
      .then(([k, s, r, w]) => {
        if (!live) return;
        setKey(k);
        setSth(s);
        setReport(r);
        setWitnesses(w);
      })
      .catch(() => live && setError(true));
    return () => {
      live = false;
    };
  }, []);
  return { key, sth, report, witnesses, error };
}

function KeyAndCheckpoint({ keyInfo, sth }: { keyInfo: WellKnownResponse; sth: SthResponse }) {
  const { t, i18n } = useTranslation(NAMESPACE);
  return (
    <section className="tp-section">
      <h2>{t('key.heading')}</h2>
      <dl className="tp-dl">
        <dt>{t('key.origin')}</dt>
        <dd className="tp-mono">{keyInfo.origin}</dd>
        <dt>{t('key.publicKey')}</dt>
        <dd className="tp-mono">{keyInfo.public_key}</dd>
        {keyInfo.verifier_key && (
          <>
            <dt>{t('key.verifierKey')}</dt>
            <dd className="tp-mono">{keyInfo.verifier_key}</dd>
          </>
        )}
      </dl>
      <h2>{t('checkpoint.heading')}</h2>
      <dl className="tp-dl">
        <dt>{t('checkpoint.size')}</dt>
        <dd>{sth.tree_size}</dd>
        <dt>{t('checkpoint.root')}</dt>
        <dd className="tp-mono">{sth.sha256_root_hash}</dd>
        <dt>{t('checkpoint.signed')}</dt>
        <dd>{new Date(sth.timestamp).toLocaleString(i18n.language)}</dd>
      </dl>
      <pre className="tp-note">{sth.checkpoint}</pre>
    </section>
  );
}

function VerifyPanel({ treeSize, policy }: { treeSize: number; policy: WitnessPolicy | null }) {
  const { t } = useTranslation(NAMESPACE);
  const [v, setV] = useState<Verification>({ state: 'idle' });
  const run = useCallback(() => {
    setV({ state: 'running', done: 0, total: treeSize });
    verifyInBrowser(treeSize, (done, total) => setV({ state: 'running', done, total }), policy)
      .then((r) => setV(r.ok ? { state: 'ok', size: r.treeSize, witnessed: r.witnessed } : { state: 'failed', message: r.message, fork: r.kind === 'fork' }))
      .catch((err: unknown) => setV(err instanceof NoEd25519Error ? { state: 'unsupported' } : { state: 'failed', message: String(err), fork: false }));
  }, [treeSize, policy]);
  useEffect(run, [run]);
  return (
    <section className="tp-section">
      <h2>{t('verify.heading')}</h2>
      <p>{treeSize > FULL_VERIFY_LIMIT ? t('verify.howSample', { limit: FULL_VERIFY_LIMIT, sample: SAMPLE_SIZE }) : t('verify.howAll')}</p>
      {v.state === 'failed' && v.fork && (
        <div role="alert" className="tp-alarm" data-testid="fork-alarm">
          <strong>{t('verify.forkTitle')}</strong> {t('verify.forkBody')}
        </div>
      )}
      <p role="status" className={`tp-status tp-status-${v.state}`} data-testid="verify-status">
        {v.state === 'running' && t('verify.running', { done: v.done, total: v.total })}
        {v.state === 'ok' && (v.size === 0 ? t('verify.okEmpty') : t('verify.ok', { last: v.size - 1, size: v.size }))}
        {v.state === 'ok' && v.witnessed && ` ${t('verify.witnessed', { cosigned: v.witnessed.cosigned, of: v.witnessed.of })}`}
        {v.state === 'failed' && t('verify.failed', { message: v.message })}
        {v.state === 'unsupported' && t('verify.noEd25519')}
      </p>
      <button type="button" className="tp-button" onClick={run} disabled={v.state === 'running'}>
        {t('verify.button')}
      </button>
      <p className="tp-small">{t('verify.pinned')}</p>
    </section>
  );
}

function asksText(counts: Record<string, number>, t: (k: string) => string): string {
  return ASK_KINDS.filter((k) => (counts[k] ?? 0) > 0)
    .map((k) => `${t(`ask.${k}`)}: ${counts[k]}`)
    .join(', ');
}

function ReportTable({ rows, label }: { rows: ReportRow[]; label: string }) {
  const { t } = useTranslation(NAMESPACE);
  return (
    <TableRegion className="tp-table-wrap" label={label}>
      <table className="tp-table">
        <thead>
          <tr>
            <th>{t('report.period')}</th>
            <th>{t('report.jurisdiction')}</th>
            <th>{t('report.demands')}</th>
            <th>{t('report.asked')}</th>
            <th>{t('report.refused')}</th>
            <th>{t('report.removed')}</th>
            <th>{t('report.meetingsAffected')}</th>
            <th>{t('report.meetingsNoAction')}</th>
            <th>{t('report.notPerformed')}</th>
            <th>{t('report.dataRequests')}</th>
            <th>{t('report.dataHandedOver')}</th>
            <th>{t('report.suspended')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.period}-${r.jurisdiction}`}>
              <td>{r.period}</td>
              <td>{r.jurisdiction}</td>
              <td className="tp-num">{r.demandsReceived}</td>
              <td>{asksText(r.asked, t)}</td>
              <td className="tp-num">{r.participantsRefused}</td>
              <td className="tp-num">{r.participantsRemoved}</td>
              <td className="tp-num">{r.meetingsAffected}</td>
              <td className="tp-num">{r.meetingsNoAction}</td>
              <td>{asksText(r.asksNotPerformed, t)}</td>
              <td className="tp-num">{r.dataRequestsRefused}</td>
              <td className="tp-num tp-zero">{r.dataHandedOver}</td>
              <td className="tp-num tp-zero">{r.accountsSuspendedByDemand}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}

function ReportSection({ report }: { report: TransparencyReport }) {
  const { t } = useTranslation(NAMESPACE);
  return (
    <section className="tp-section">
      <h2>{t('report.heading')}</h2>
      <p className="tp-small">
        {t('report.computedFrom', { count: report.entries })}{' '}
        <a href={`${V1}/report.csv`} className="tp-link">
          {t('report.csv')}
        </a>
      </p>
      {report.rows.length === 0 ? (
        <p>{t('report.empty')}</p>
      ) : (
        <>
          <div className="tp-charts">
            <JurisdictionChart
              rows={report.rows}
              title={t('report.chartByJurisdiction')}
              legendDemands={t('report.legendDemands')}
              legendAffected={t('report.legendAffected')}
            />
            <TimelineChart rows={report.rows} title={t('report.chartTimeline')} />
          </div>
          <ReportTable rows={report.rows} label={t('report.heading')} />
          <h3>{t('report.totals')}</h3>
          <ReportTable rows={[{ period: '—', jurisdiction: '—', ...report.totals }]} label={t('report.totals')} />
        </>
      )}
    </section>
  );
}

/** The public transparency page (mounted at /transparency). */
export default function TransparencyPage() {
  const { t } = useTranslation(NAMESPACE);
  const { key, sth, report, witnesses, error } = useLogData();
  const origin = typeof window === 'undefined' ? 'https://your-instance' : window.location.origin;
  const entry = typeof window === 'undefined' ? null : /^\d+$/.exec(new URLSearchParams(window.location.search).get('entry') ?? '')?.[0];
  const [pin, setPin] = useState<PinnedPolicy | null | undefined>(undefined);
  useEffect(() => {
    if (key && witnesses !== undefined) setPin(resolvePolicy(key.origin, witnesses?.policy ?? null));
  }, [key, witnesses]);
  const policy = useMemo(() => policyOf(pin ?? null), [pin]);
  return (
    <main id="main" className="tp-page">
      <h1>{t('title')}</h1>
      <p>{t('intro')}</p>
      {error && <p className="tp-status tp-status-failed">{t('report.error')}</p>}
      {!error && !report && <p>{t('report.loading')}</p>}
      {entry != null && <ReceiptPanel index={Number(entry)} />}
      {key && sth && <KeyAndCheckpoint keyInfo={key} sth={sth} />}
      {key && pin !== undefined && <WitnessPolicyPanel origin={key.origin} pin={pin} suggested={witnesses?.policy ?? null} onPin={setPin} />}
      {sth && pin !== undefined && <VerifyPanel treeSize={sth.tree_size} policy={policy} />}
      {report && <ReportSection report={report} />}
      <section className="tp-section">
        <h2>{t('recompute.heading')}</h2>
        <p>{t('recompute.body', { url: origin })}</p>
      </section>
    </main>
  );
}
