import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { api, type Meeting, type User } from '../../lib/api.js';
import { useDocumentTitle } from '../../lib/document-title.js';
import { errorText } from '../../lib/errors.js';
import { linkHandler } from '../../lib/router.js';
import { passcodes } from '../../lib/storage.js';
import { CreateMeeting } from './CreateMeeting.js';
import { LiveView } from './LiveView.js';

function formatDate(ms: number, lang: string): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ms));
}

/** The link a host shares: the server's link, with the passcode only if they ask for it. */
export function shareLink(m: Meeting, withPasscode: boolean): string {
  const url = new URL(m.link, location.origin);
  url.searchParams.delete('pwd');
  const pwd = passcodes()[m.id];
  if (withPasscode && pwd) url.searchParams.set('pwd', pwd);
  return url.toString();
}

function MeetingRow({ m, onEnd }: { m: Meeting; onEnd: (m: Meeting) => void }) {
  const { t, i18n } = useTranslation();
  const [withPwd, setWithPwd] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [live, setLive] = useState(false);
  const ended = m.endedAt !== null;
  const knowsPwd = m.hasPasscode && passcodes()[m.id] !== undefined;

  const copy = async () => {
    const link = shareLink(m, withPwd);
    try {
      await navigator.clipboard.writeText(link);
      setStatus(t('dashboard.copied'));
    } catch {
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- our {{link}} placeholder, not String.prototype.link
      setStatus(t('dashboard.copyFailed', { link }));
    }
  };

  return (
    <li className="meeting-row" data-testid="meeting-row" data-meeting-id={m.id}>
      <div className="meeting-main">
        <a href={`/m/${m.id}`} onClick={linkHandler(`/m/${m.id}`)} className="meeting-title">
          {m.title}
        </a>
        <div className="meta">
          <span>{m.scheduledAt !== null ? t('dashboard.scheduledFor', { date: formatDate(m.scheduledAt, i18n.language) }) : t('dashboard.notScheduled')}</span>
          {m.hasPasscode && <span className="chip">{t('dashboard.hasPasscode')}</span>}
          {m.waitingRoom && <span className="chip">{t('dashboard.hasWaitingRoom')}</span>}
          {m.e2ee && <span className="chip">{t('dashboard.hasE2ee')}</span>}
          {ended ? (
            <span className="chip chip-muted">{t('dashboard.ended')}</span>
          ) : (
            m.live.participants > 0 && (
              <span className="chip chip-live" data-testid="live-count">
                {t('dashboard.live', { count: m.live.participants })}
              </span>
            )
          )}
        </div>
      </div>
      {!ended && (
        <div className="meeting-actions">
          <a className="btn btn-primary btn-small" href={`/m/${m.id}`} onClick={linkHandler(`/m/${m.id}`)}>
            {t('dashboard.open')}
          </a>
          <button type="button" className="btn btn-small" onClick={() => void copy()} data-testid="copy-link">
            {t('dashboard.copyLink')}
          </button>
          {knowsPwd && (
            <label className="check small">
              <input type="checkbox" checked={withPwd} onChange={(e) => setWithPwd(e.target.checked)} />
              {t('dashboard.includePasscode')}
            </label>
          )}
          <button type="button" className="btn btn-small" aria-expanded={live} onClick={() => setLive((v) => !v)} data-testid="live-toggle">
            {live ? t('dashboard.hideLive') : t('dashboard.liveView')}
          </button>
          <button type="button" className="btn btn-danger btn-small" onClick={() => onEnd(m)} data-testid="end-meeting">
            {t('dashboard.end')}
          </button>
        </div>
      )}
      {status && (
        <p className="small muted" role="status">
          {status}
        </p>
      )}
      {live && !ended && <LiveView meetingId={m.id} />}
    </li>
  );
}

export function Dashboard({ user }: { user: User }) {
  const { t } = useTranslation();
  const [meetings, setMeetings] = useState<Meeting[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [ending, setEnding] = useState<Meeting | null>(null);
  useDocumentTitle(t('nav.dashboard'));

  const refresh = useCallback(() => {
    api
      .listMeetings()
      .then((r) => {
        setMeetings(r.meetings);
        setError(null);
      })
      .catch((err: unknown) => setError(errorText(t, err)));
  }, [t]);

  useEffect(() => {
    refresh();
    const timer = setInterval(refresh, 10_000);
    return () => clearInterval(timer);
  }, [refresh]);

  const endNow = async (m: Meeting) => {
    setEnding(null);
    try {
      await api.endMeeting(m.id);
    } catch (err) {
      setError(errorText(t, err));
    }
    refresh();
  };

  const sorted = [...(meetings ?? [])].sort(
    (a, b) => Number(a.endedAt !== null) - Number(b.endedAt !== null) || (b.scheduledAt ?? b.createdAt) - (a.scheduledAt ?? a.createdAt),
  );

  return (
    <main id="main" className="page dashboard" data-testid="dashboard">
      <h1>{t('dashboard.title')}</h1>
      <div className="dashboard-grid">
        <CreateMeeting user={user} onCreated={(m) => setMeetings((list) => [m, ...(list ?? [])])} />
        <section className="card" aria-labelledby="list-title">
          <h2 id="list-title" className="visually-hidden">
            {t('dashboard.title')}
          </h2>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          {meetings === null && !error && <p aria-busy="true">{t('app.loading')}</p>}
          {meetings?.length === 0 && <p className="muted">{t('dashboard.empty')}</p>}
          <ul className="meeting-list" data-testid="meeting-list">
            {sorted.map((m) => (
              <MeetingRow key={m.id} m={m} onEnd={setEnding} />
            ))}
          </ul>
        </section>
      </div>
      <ConfirmDialog
        open={ending !== null}
        title={t('dashboard.endConfirm', { title: ending?.title ?? '' })}
        body={t('meeting.endConfirmBody')}
        confirmLabel={t('dashboard.end')}
        danger
        onConfirm={() => ending && void endNow(ending)}
        onCancel={() => setEnding(null)}
      />
    </main>
  );
}
