import { useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { JoinResult, RemovalNotice } from '../../../../protocol/signaling.js';
import { ApiError, type PublicMeeting } from '../../lib/api.js';
import { useAuth } from '../../lib/auth.js';
import { errorText, noticeFromError } from '../../lib/errors.js';
import { SignalingClient, type JoinPayload } from '../../lib/signaling.js';
import { NAME_KEY, load, save } from '../../lib/storage.js';
import { deviceIdentity } from '../../security/index.js';
import { RoomLink } from '../meeting/room-link.js';
import type { LocalMedia } from '../meeting/use-media.js';
import { StreamVideo } from '../meeting/VideoTile.js';
import { usePreview } from './use-preview.js';

export interface Joined {
  client: SignalingClient;
  join: JoinResult;
  local: LocalMedia;
  /** Security session + early media events, started in the tick the join result arrived. */
  link: RoomLink;
}

export function Lobby(props: { info: PublicMeeting; onJoined: (j: Joined) => void; onRefused: (n: RemovalNotice) => void }) {
  const { t, i18n } = useTranslation();
  const { user } = useAuth();
  const { info } = props;
  // An event: everyone joins without camera or microphone (attendees only receive; a host or
  // panelist turns them on in the room).
  const preview = usePreview(info.event !== true);
  const [name, setName] = useState(() => load(NAME_KEY) ?? user?.displayName ?? '');
  const [passcode, setPasscode] = useState(() => new URLSearchParams(location.search).get('pwd') ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ text: string; field?: 'passcode' } | null>(null);
  const displayName = name || user?.displayName || '';

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const trimmed = displayName.trim();
    if (!trimmed) return;
    setBusy(true);
    setError(null);
    save(NAME_KEY, trimmed);
    const local = await preview.handOver();
    const client = new SignalingClient();
    client.connect();
    try {
      // Every meeting, E2EE or not: the roster chain binds this key to the display name.
      const identity = await deviceIdentity();
      const payload: JoinPayload = { meetingId: info.meetingId, displayName: trimmed, identityKey: identity.publicKey };
      if (info.hasPasscode && passcode) payload.passcode = passcode;
      const join = (await client.request('join', payload)) as JoinResult;
      // Same tick as the result: a roster.event or media.offer right behind it is not lost.
      const link = new RoomLink(client, join, identity);
      props.onJoined({ client, join, local, link });
    } catch (err) {
      client.close();
      preview.release();
      setBusy(false);
      const notice = err instanceof ApiError ? noticeFromError(err) : null;
      if (notice) {
        props.onRefused(notice);
        return;
      }
      setError({
        text: errorText(t, err),
        ...(err instanceof ApiError && (err.code === 'WRONG_PASSCODE' || err.code === 'PASSCODE_LOCKED') ? { field: 'passcode' as const } : {}),
      });
    }
  };

  const when =
    info.scheduledAt !== null ? new Intl.DateTimeFormat(i18n.language, { dateStyle: 'full', timeStyle: 'short' }).format(new Date(info.scheduledAt)) : null;

  return (
    <main id="main" className="page lobby" data-testid="lobby">
      <div className="lobby-preview">
        <div className="preview-frame" aria-label={t('lobby.preview')}>
          {preview.stream && preview.camOn ? (
            <StreamVideo stream={preview.stream} mirror label={t('lobby.preview')} />
          ) : (
            <div className="avatar big" aria-hidden="true">
              {/* eslint-disable-next-line @typescript-eslint/no-misused-spread -- first code point, not UTF-16 unit */}
              {[...(displayName.trim() || '?')][0]?.toUpperCase()}
            </div>
          )}
          <div className="preview-controls">
            <button
              type="button"
              className={preview.micOn ? 'round-btn' : 'round-btn off'}
              onClick={preview.toggleMic}
              disabled={!preview.stream?.getAudioTracks().length}
              aria-pressed={!preview.micOn}
              aria-label={preview.micOn ? t('lobby.micOff') : t('lobby.micOn')}
              data-testid="preview-mic"
            >
              <span className={preview.micOn ? 'icon icon-mic' : 'icon icon-mic-off'} aria-hidden="true" />
            </button>
            <button
              type="button"
              className={preview.camOn ? 'round-btn' : 'round-btn off'}
              onClick={preview.toggleCam}
              disabled={!preview.stream?.getVideoTracks().length}
              aria-pressed={!preview.camOn}
              aria-label={preview.camOn ? t('lobby.cameraOff') : t('lobby.cameraOn')}
              data-testid="preview-camera"
            >
              <span className={preview.camOn ? 'icon icon-cam' : 'icon icon-cam-off'} aria-hidden="true" />
            </button>
          </div>
        </div>
        {preview.problem && (
          <p className="muted small" role="status">
            {preview.problem === 'denied' ? t('lobby.permissionDenied') : t('lobby.noDevices')}
          </p>
        )}
      </div>
      <form className="lobby-form stack" onSubmit={(e) => void submit(e)}>
        <h1 data-testid="lobby-title">{t('lobby.title', { title: info.title })}</h1>
        {when && <p className="muted">{t('lobby.scheduledFor', { date: when })}</p>}
        <label className="field">
          <span>{t('lobby.displayName')}</span>
          <input required maxLength={64} autoComplete="name" value={displayName} onChange={(e) => setName(e.target.value)} data-testid="lobby-name" />
        </label>
        {info.hasPasscode && (
          <label className="field">
            <span>{t('lobby.passcode')}</span>
            <input
              required
              maxLength={64}
              autoComplete="off"
              value={passcode}
              aria-invalid={error?.field === 'passcode'}
              aria-describedby={error ? 'join-error' : undefined}
              onChange={(e) => setPasscode(e.target.value)}
              data-testid="lobby-passcode"
            />
          </label>
        )}
        {error && (
          <p id="join-error" className="error" role="alert" data-testid="join-error">
            {error.text}
          </p>
        )}
        <button className="btn btn-primary btn-large" type="submit" disabled={busy || !displayName.trim()} data-testid="join-button">
          {busy ? t('lobby.joining') : t('lobby.join')}
        </button>
        <ul className="lobby-notes small muted">
          <li>{t('lobby.rosterNote')}</li>
          {info.waitingRoom && <li>{t('lobby.waitingRoomNote')}</li>}
          {info.e2ee && <li>{t('lobby.e2eeNote')}</li>}
          {info.event === true && <li data-testid="lobby-event-note">{t('lobby.eventNote')}</li>}
        </ul>
      </form>
    </main>
  );
}
