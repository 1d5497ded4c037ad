import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Meeting, type User } from '../../lib/api.js';
import { useSubmit } from '../../lib/use-submit.js';
import { navigate } from '../../lib/router.js';
import { rememberPasscode } from '../../lib/storage.js';

/** `<input type="datetime-local">` value for a moment one hour from now, on the hour. */
function nextHour(): string {
  const d = new Date(Date.now() + 60 * 60 * 1000);
  d.setMinutes(0, 0, 0);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function CreateMeeting({ user, onCreated }: { user: User; onCreated: (m: Meeting) => void }) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<'instant' | 'scheduled'>('instant');
  const [title, setTitle] = useState('');
  const [when, setWhen] = useState(nextHour);
  const [passcode, setPasscode] = useState('');
  const [waitingRoom, setWaitingRoom] = useState(false);
  const [e2ee, setE2ee] = useState(false);
  const [event, setEvent] = useState(false);
  const { busy, error, submit } = useSubmit(async () => {
    const body: Parameters<typeof api.createMeeting>[0] = {
      title: title.trim() || t('dashboard.defaultTitle', { name: user.displayName }),
      waitingRoom,
      e2ee,
    };
    if (event) body.event = true;
    if (passcode) body.passcode = passcode;
    if (mode === 'scheduled') body.scheduledAt = new Date(when).getTime();
    const { meeting } = await api.createMeeting(body);
    if (passcode) rememberPasscode(meeting.id, passcode);
    onCreated(meeting);
    if (mode === 'instant') navigate(`/m/${meeting.id}`);
    else {
      setTitle('');
      setPasscode('');
    }
  });

  return (
    <section className="card" aria-labelledby="new-title">
      <h2 id="new-title">{t('dashboard.newMeeting')}</h2>
      <div className="tabs" role="tablist">
        {(['instant', 'scheduled'] as const).map((m) => (
          <button
            key={m}
            type="button"
            role="tab"
            aria-selected={mode === m}
            className={mode === m ? 'tab active' : 'tab'}
            onClick={() => setMode(m)}
            data-testid={`create-${m}`}
          >
            {m === 'instant' ? t('dashboard.instant') : t('dashboard.schedule')}
          </button>
        ))}
      </div>
      <form className="stack" onSubmit={(e) => void submit(e)} data-testid="create-meeting-form">
        <label className="field">
          <span>{t('dashboard.meetingTitle')}</span>
          <input
            value={title}
            maxLength={200}
            placeholder={t('dashboard.defaultTitle', { name: user.displayName })}
            onChange={(e) => setTitle(e.target.value)}
            data-testid="create-title"
          />
        </label>
        {mode === 'scheduled' && (
          <label className="field">
            <span>{t('dashboard.when')}</span>
            <input type="datetime-local" required value={when} onChange={(e) => setWhen(e.target.value)} />
          </label>
        )}
        <label className="field">
          <span>{t('dashboard.passcode')}</span>
          <input value={passcode} minLength={6} maxLength={32} autoComplete="off" onChange={(e) => setPasscode(e.target.value)} data-testid="create-passcode" />
        </label>
        <label className="check">
          <input type="checkbox" checked={waitingRoom} onChange={(e) => setWaitingRoom(e.target.checked)} data-testid="create-waiting" />
          {t('dashboard.waitingRoom')}
        </label>
        <label className="check">
          <input type="checkbox" checked={e2ee} onChange={(e) => setE2ee(e.target.checked)} data-testid="create-e2ee" />
          {t('dashboard.e2ee')}
        </label>
        <label className="check">
          <input type="checkbox" checked={event} onChange={(e) => setEvent(e.target.checked)} aria-describedby="create-event-hint" data-testid="create-event" />
          {t('dashboard.event')}
        </label>
        <p id="create-event-hint" className="muted small">
          {t('dashboard.eventHint')}
        </p>
        {mode === 'instant' && <p className="muted small">{t('dashboard.instantHint')}</p>}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button className="btn btn-primary" type="submit" disabled={busy} data-testid="create-submit">
          {busy ? t('dashboard.creating') : mode === 'instant' ? t('dashboard.instant') : t('dashboard.create')}
        </button>
      </form>
    </section>
  );
}
