import { useTranslation } from 'react-i18next';
import { SECURITY_NS, type SecuritySession } from '../../security/index.js';
import { useSecurityState } from '../../security/ui/use-security.js';

/** The room header's lock: green only when media is end-to-end encrypted and the roster verified. */
export function SecurityIndicator({ session }: { session: SecuritySession }) {
  const { t } = useTranslation(SECURITY_NS);
  const s = useSecurityState(session);
  if (s.encryption === 'off') return null;
  const state = !s.verified || s.encryption === 'unsupported' ? 'problem' : s.encryption === 'on' ? 'on' : 'verifying';
  const text = t(`indicator.${state}`);
  return (
    <span
      className={`e2ee-indicator e2ee-${state}`}
      data-testid="e2ee-indicator"
      data-state={state}
      role="status"
      aria-label={t('indicator.label', { state: text })}
      title={t(`encryption.${s.encryption}`)}
    >
      <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true" focusable="false">
        {state === 'problem' ? (
          <path fill="currentColor" d="M8 1 15 14H1L8 1Zm-.8 4.5v4.2h1.6V5.5H7.2Zm0 5.4v1.6h1.6v-1.6H7.2Z" />
        ) : (
          <path
            fill="currentColor"
            d="M4.5 7V5a3.5 3.5 0 0 1 7 0v2H12a1 1 0 0 1 1 1v6a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1h.5ZM6 7h4V5a2 2 0 1 0-4 0v2Z"
          />
        )}
      </svg>
      <span className="e2ee-text">{text}</span>
    </span>
  );
}
