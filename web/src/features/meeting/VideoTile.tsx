import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RosterEntry } from '../../../../protocol/signaling.js';

function initials(name: string): string {
  const parts = name.trim().split(/\s+/);
  // CJK names read better as their first character; Latin names as initials. Spread splits by
  // code point, which is what an initial needs (not by UTF-16 unit).
  /* eslint-disable @typescript-eslint/no-misused-spread */
  const first = [...(parts[0] ?? '?')][0] ?? '?';
  const second = parts.length > 1 ? ([...(parts[parts.length - 1] ?? '')][0] ?? '') : '';
  /* eslint-enable @typescript-eslint/no-misused-spread */
  return (first + second).toUpperCase();
}

/** No new frame for this long on a remote tile that should be moving: say so. */
export const STALL_MS = 3000;

/**
 * Attaches a MediaStream to a <video>; re-attaches only when the stream object changes.
 * `onStall` is told when no new frame was presented for STALL_MS (and when frames resume), so
 * a frozen picture is never silent, whatever the connection state says.
 */
export function StreamVideo({
  stream,
  muted,
  mirror,
  label,
  onStall,
}: {
  stream: MediaStream;
  muted?: boolean;
  mirror?: boolean;
  label: string;
  onStall?: (stalled: boolean) => void;
}) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const v = ref.current;
    if (!v) return;
    if (v.srcObject !== stream) v.srcObject = stream;
    v.play().catch(() => undefined);
  }, [stream]);
  useEffect(() => {
    const v = ref.current;
    if (!v || !onStall) return;
    let frames = -1;
    let since = Date.now();
    let stalled = false;
    const timer = setInterval(() => {
      const n = v.getVideoPlaybackQuality().totalVideoFrames;
      const now = Date.now();
      if (n !== frames) {
        frames = n;
        since = now;
      }
      const s = now - since >= STALL_MS;
      if (s !== stalled) {
        stalled = s;
        onStall(s);
      }
    }, 1000);
    return () => {
      clearInterval(timer);
      if (stalled) onStall(false);
    };
  }, [stream, onStall]);
  return <video ref={ref} autoPlay playsInline muted={muted ?? true} aria-label={label} className={mirror ? 'mirror' : undefined} />;
}

export function VideoTile(props: {
  entry: RosterEntry;
  stream: MediaStream | undefined;
  kind: 'video' | 'screen' | 'self';
  speaking: boolean;
  large?: boolean;
  /** The connection carrying this tile is being recovered: say so instead of a silent black tile. */
  reconnecting?: boolean;
  /** The host pinned this person's voice (everyone hears them). */
  pinned?: boolean;
}) {
  const { t } = useTranslation();
  const { entry, stream, kind } = props;
  const nameId = useId();
  const [stalled, setStalled] = useState(false);
  const reconnecting = props.reconnecting === true || (stalled && kind !== 'self');
  const name = kind === 'screen' ? t('meeting.screenOf', { name: entry.displayName }) : entry.displayName;
  const showVideo = stream !== undefined && (kind === 'screen' || entry.video);
  const cls = ['tile', props.speaking ? 'speaking' : '', props.large ? 'tile-large' : '', kind === 'screen' ? 'tile-screen' : ''].filter(Boolean).join(' ');
  return (
    <figure
      className={cls}
      data-testid={kind === 'self' ? 'self-view' : kind === 'screen' ? 'screen-tile' : 'video-tile'}
      data-participant-id={entry.participantId}
      data-speaking={props.speaking || undefined}
      data-reconnecting={reconnecting || undefined}
      aria-labelledby={nameId}
    >
      {reconnecting && (
        <div className="tile-reconnecting" data-testid="tile-reconnecting">
          <span className="spinner small" aria-hidden="true" />
          {t('meeting.mediaReconnecting')}
        </div>
      )}
      {showVideo ? (
        <StreamVideo stream={stream} mirror={kind === 'self'} label={name} {...(kind === 'self' ? {} : { onStall: setStalled })} />
      ) : (
        <div className="avatar" aria-hidden="true">
          {initials(entry.displayName)}
        </div>
      )}
      <figcaption className="tile-label">
        {kind !== 'screen' && !entry.audio && <span className="icon icon-mic-off" role="img" aria-label={t('meeting.muted')} data-testid="muted-indicator" />}
        {kind !== 'screen' && !entry.video && (
          <span className="icon icon-cam-off" role="img" aria-label={t('meeting.cameraOffLabel')} data-testid="camera-off-indicator" />
        )}
        {kind !== 'screen' && props.pinned === true && (
          <span
            className="icon icon-pin tile-pin"
            role="img"
            aria-label={t('meeting.audioPinned')}
            title={t('meeting.audioPinned')}
            data-testid="pin-indicator"
          />
        )}
        {kind !== 'screen' && entry.hand === true && (
          <span className="icon icon-hand tile-hand" role="img" aria-label={t('meeting.handRaised')} data-testid="hand-indicator" />
        )}
        <span className="tile-name" id={nameId}>
          {kind === 'self' ? t('meeting.nameYou', { name }) : name}
        </span>
        {props.speaking && <span className="visually-hidden">{t('meeting.speaking')}</span>}
      </figcaption>
    </figure>
  );
}

/** Plays one remote audio stream; invisible. */
export function RemoteAudio({ stream }: { stream: MediaStream }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const a = ref.current;
    if (!a) return;
    a.srcObject = stream;
    a.play().catch(() => undefined);
  }, [stream]);
  return <audio ref={ref} autoPlay />;
}
