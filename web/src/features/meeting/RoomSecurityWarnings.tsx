/**
 * The room's security banner. A security code that changed only because someone joined or
 * left is shown, not announced: an assertive alert reading 20 digits on every roster change
 * drowns out the meeting. Any warning a person must act on (unlocked, invalid chain, unknown
 * key, changed key) goes through the security module's alert as before.
 */
import { useTranslation } from 'react-i18next';
import { SECURITY_NS, type SecuritySession } from '../../security/index.js';
import { SecurityWarnings } from '../../security/ui/SecurityPanel.js';
import { useSecurityState } from '../../security/ui/use-security.js';

export function RoomSecurityWarnings({ session }: { session: SecuritySession }) {
  const { t } = useTranslation(SECURITY_NS);
  const s = useSecurityState(session);
  if (s.warnings.some((w) => w.kind !== 'code-changed')) return <SecurityWarnings session={session} />;
  const i = s.warnings.findIndex((w) => w.kind === 'code-changed');
  const w = s.warnings[i];
  if (w?.kind !== 'code-changed') return null;
  return (
    <div className="security-warnings" data-testid="security-warnings">
      <p data-kind="code-changed">
        {t('warning.code-changed', { code: w.code } as never) as unknown as string}{' '}
        <button type="button" className="btn btn-ghost btn-small" onClick={() => session.chain.dismiss(i)}>
          {t('dismiss')}
        </button>
      </p>
    </div>
  );
}
