/**
 * The blocking alarm for a downgrade claim: the server says this end-to-end encrypted meeting
 * is now plain. Nothing changes here (media and chat stay encrypted, e2ee-session.ts); the
 * person is told, in a modal they must answer, that the server tried.
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SecuritySession } from '../e2ee-session.js';
import { SECURITY_NS } from '../i18n.js';
import { useSecurityState } from './use-security.js';

export function DowngradeAlarm({ session, onLeave }: { session: SecuritySession; onLeave: () => void }) {
  const { t } = useTranslation(SECURITY_NS);
  const s = useSecurityState(session);
  const [stayed, setStayed] = useState(false);
  const ref = useRef<HTMLDialogElement>(null);
  const open = s.downgrade && !stayed;
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className="dialog"
      role="alertdialog"
      aria-labelledby="downgrade-title"
      aria-describedby="downgrade-body"
      onCancel={(e) => e.preventDefault()}
      data-testid="e2ee-downgrade-alarm"
    >
      <h2 id="downgrade-title">{t('downgrade.title')}</h2>
      <p id="downgrade-body">{t('downgrade.body')}</p>
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={() => setStayed(true)} data-testid="downgrade-stay">
          {t('downgrade.stay')}
        </button>
        <button type="button" className="btn btn-danger" onClick={onLeave} autoFocus data-testid="downgrade-leave">
          {t('downgrade.leave')}
        </button>
      </div>
    </dialog>
  );
}
