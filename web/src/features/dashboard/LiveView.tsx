import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type LiveMeeting } from '../../lib/api.js';
import { errorText } from '../../lib/errors.js';

/** The host's view of a running meeting: who is in it, who waits, and any enforcement. */
export function LiveView({ meetingId }: { meetingId: string }) {
  const { t } = useTranslation();
  const [data, setData] = useState<LiveMeeting | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const load = () =>
      api
        .liveMeeting(meetingId)
        .then((d) => {
          if (!live) return;
          setData(d);
          setError(null);
        })
        .catch((err: unknown) => live && setError(errorText(t, err)));
    void load();
    const timer = setInterval(() => void load(), 3000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [meetingId, t]);

  return (
    <div className="live-view" data-testid="live-view">
      <p className="small muted">{t('dashboard.refreshing')}</p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {data && (
        <div className="live-columns">
          <div>
            <h3>
              {t('dashboard.liveRoster')} ({data.roster.length})
            </h3>
            {data.roster.length === 0 ? (
              <p className="muted small">{t('dashboard.nobody')}</p>
            ) : (
              <ul className="plain-list">
                {data.roster.map((p) => (
                  <li key={p.participantId} data-testid="live-roster-item">
                    {p.displayName}
                    {p.role !== 'participant' && <span className="chip">{t(`meeting.${p.role}`)}</span>}
                  </li>
                ))}
              </ul>
            )}
          </div>
          <div>
            <h3>
              {t('dashboard.liveWaiting')} ({data.waiting.length})
            </h3>
            {data.waiting.length === 0 ? (
              <p className="muted small">{t('dashboard.nobody')}</p>
            ) : (
              <ul className="plain-list">
                {data.waiting.map((p) => (
                  <li key={p.participantId}>{p.displayName}</li>
                ))}
              </ul>
            )}
          </div>
          <div aria-live="polite">
            <h3>{t('dashboard.liveNotices')}</h3>
            {data.notices.length === 0 ? (
              <p className="muted small">{t('dashboard.noNotices')}</p>
            ) : (
              <ul className="plain-list">
                {data.notices.map((n) => (
                  <li key={`${n.demandId}-${n.at}`} className="notice-item" data-testid="live-notice">
                    {n.authority
                      ? t('notice.hostEnforcement', { count: n.count, jurisdiction: n.jurisdiction, demandId: n.demandId, authority: n.authority })
                      : t('notice.hostEnforcementGag', { count: n.count, jurisdiction: n.jurisdiction, demandId: n.demandId })}
                  </li>
                ))}
              </ul>
            )}
          </div>
        </div>
      )}
    </div>
  );
}
