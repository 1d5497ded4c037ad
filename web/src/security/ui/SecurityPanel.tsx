/**
 * The meeting's security panel: security code, roster-chain status, encryption state, the
 * verified participants and any warnings. Warnings also show as a banner (SecurityBanner)
 * so nobody has to open the panel to learn the meeting became unsafe.
 */
import { useTranslation } from 'react-i18next';
import type { SecurityWarning } from '../chain-keeper.js';
import type { SecuritySession } from '../e2ee-session.js';
import { SECURITY_NS } from '../i18n.js';
import { useSecurityState } from './use-security.js';

function warningText(t: (k: string, o?: Record<string, unknown>) => string, w: SecurityWarning): string {
  switch (w.kind) {
    case 'code-changed':
      return t('warning.code-changed', { code: w.code });
    case 'unlocked':
      return t('warning.unlocked');
    case 'chain-invalid':
      return t('warning.chain-invalid', { problem: w.problem.kind });
    case 'unknown-receiver':
      return t('warning.unknown-receiver', { id: w.receiverId });
    case 'unknown-sender':
      return t('warning.unknown-sender', { id: w.participantId });
    case 'key-changed':
      return t('warning.key-changed', { name: w.displayName });
  }
}

/** `warnings`: also list the warnings here (off where a banner already shows them). */
export function SecurityPanel({ session, warnings = true }: { session: SecuritySession; warnings?: boolean }) {
  const { t } = useTranslation(SECURITY_NS);
  const s = useSecurityState(session);
  return (
    <section className="security-panel" data-testid="security-panel" aria-label={t('title')}>
      <h3>{t('code')}</h3>
      <p className="security-code" data-testid="security-code" aria-describedby="security-code-hint">
        {s.code ?? '—'}
      </p>
      <p id="security-code-hint" className="hint">
        {t('codeHint')}
      </p>
      <p data-testid="chain-status" data-verified={s.verified}>
        {s.verified ? t('chainOk', { count: s.length }) : t('chainBad')}
      </p>
      <p data-testid="encryption-state" data-state={s.encryption}>
        {t(`encryption.${s.encryption}`)}
      </p>
      <h3>{t('members')}</h3>
      <ul data-testid="verified-members">
        {[...s.members].map(([id, m]) => (
          <li key={id} data-participant={id}>
            {m.displayName} {m.identityKey ? <code>{m.identityKey.slice(0, 8)}…</code> : <em>{t('noKey')}</em>}
          </li>
        ))}
      </ul>
      {warnings && <SecurityWarnings session={session} />}
    </section>
  );
}

export function SecurityWarnings({ session }: { session: SecuritySession }) {
  const { t } = useTranslation(SECURITY_NS);
  const s = useSecurityState(session);
  if (s.warnings.length === 0) return null;
  return (
    <div role="alert" className="security-warnings" data-testid="security-warnings">
      {s.warnings.map((w, i) => (
        <p key={`${w.kind}-${w.at}-${i}`} data-kind={w.kind}>
          {warningText((k, o) => t(k as never, o as never) as unknown as string, w)}{' '}
          {w.kind === 'key-changed' && (
            <button type="button" className="btn btn-small" onClick={() => session.chain.trustKey(w.participantId)} data-testid="trust-key">
              {t('confirmKey')}
            </button>
          )}{' '}
          {/* A changed key stays refused until confirmed: that warning cannot be dismissed. */}
          {w.kind !== 'key-changed' && (
            <button type="button" className="btn btn-ghost btn-small" onClick={() => session.chain.dismiss(i)}>
              {t('dismiss')}
            </button>
          )}
        </p>
      ))}
    </div>
  );
}
