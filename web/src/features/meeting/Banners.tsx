import { useTranslation } from 'react-i18next';
import { useAnnounce } from '../../lib/announcer.js';
import type { ConnectionState } from '../../lib/signaling.js';
import { ensureTransparencyI18n, NAMESPACE as TRANSPARENCY_NS } from '../transparency/i18n.js';
import type { HostNotice } from './room-state.js';

ensureTransparencyI18n();

/** Everything the room needs to say out loud: connection, enforcement notices, host mute. */
export function Banners(props: {
  connection: ConnectionState;
  notices: HostNotice[];
  mutedBy: string | null;
  onDismissMuted: () => void;
  mediaError: 'media' | 'share' | null;
  actionError: string | null;
  onDismissAction: () => void;
  onRejoin: () => void;
}) {
  const { t } = useTranslation();
  // Said once, politely, through the one live region (reconnecting: use-announcements.ts);
  // the banners below are what stays on screen.
  const latest = props.notices.at(-1);
  useAnnounce(props.connection === 'closed' ? t('meeting.closed') : null);
  useAnnounce(latest ? noticeText(t, latest) : null);
  useAnnounce(props.mutedBy ? t('meeting.youAreMuted', { name: props.mutedBy }) : null);
  useAnnounce(props.mediaError ? (props.mediaError === 'share' ? t('meeting.shareFailed') : t('meeting.mediaFailed')) : null);
  return (
    <div className="banners">
      <div>
        {props.connection === 'reconnecting' && (
          <div className="banner banner-warn" data-testid="reconnect-banner">
            <span className="spinner small" aria-hidden="true" />
            {t('meeting.reconnecting')}
          </div>
        )}
        {props.connection === 'closed' && (
          <div className="banner banner-error" data-testid="closed-banner">
            {t('meeting.closed')}
            <button type="button" className="btn btn-small" onClick={props.onRejoin}>
              {t('meeting.rejoin')}
            </button>
          </div>
        )}
      </div>
      <div>
        {props.notices.map((n) => (
          <div key={`${n.demandId}-${n.at}`} className="banner banner-legal">
            <span data-testid="host-notice">{noticeText(t, n)}</span>
            {n.entryIndex !== undefined && (
              <>
                {' '}
                <a href={`/transparency?entry=${n.entryIndex}`} target="_blank" rel="noopener" data-testid="host-notice-receipt">
                  {t('receipt.hostLink', { ns: TRANSPARENCY_NS, index: n.entryIndex })}
                </a>
              </>
            )}
          </div>
        ))}
        {props.mutedBy && (
          <div className="banner banner-info" data-testid="muted-notice">
            {t('meeting.youAreMuted', { name: props.mutedBy })}
            <button type="button" className="btn btn-ghost btn-small" onClick={props.onDismissMuted} aria-label={t('notice.dismiss')}>
              ✕
            </button>
          </div>
        )}
        {props.mediaError && <div className="banner banner-warn">{props.mediaError === 'share' ? t('meeting.shareFailed') : t('meeting.mediaFailed')}</div>}
        {props.actionError && (
          <div className="banner banner-error" role="alert">
            {props.actionError}
            <button type="button" className="btn btn-ghost btn-small" onClick={props.onDismissAction} aria-label={t('notice.dismiss')}>
              ✕
            </button>
          </div>
        )}
      </div>
    </div>
  );
}

function noticeText(t: (k: string, o: Record<string, unknown>) => string, n: HostNotice): string {
  return n.authority
    ? t('notice.hostEnforcement', { count: n.count, jurisdiction: n.jurisdiction, demandId: n.demandId, authority: n.authority })
    : t('notice.hostEnforcementGag', { count: n.count, jurisdiction: n.jurisdiction, demandId: n.demandId });
}
