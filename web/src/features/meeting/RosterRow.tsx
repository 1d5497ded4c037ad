import type { CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import type { RosterEntry } from '../../../../protocol/signaling.js';
import type { HostActions } from './RosterPanel.js';

/** One person in the roster panel, with the host's menu. */
export function RosterRow(props: {
  p: RosterEntry;
  selfId: string;
  speaker: string | null;
  isHost: boolean;
  isOwner: boolean;
  event: boolean;
  actions: HostActions;
  onRemove: (p: RosterEntry) => void;
  /** The host pinned this person's voice (everyone hears them). */
  pinned: boolean;
  /** Another voice may be pinned (fewer than the server's limit are). */
  canPin: boolean;
  /** In the virtual window: its place in the whole list and its fixed box. */
  pos?: { index: number; size: number; style: CSSProperties };
}) {
  const { t } = useTranslation();
  const { p, actions } = props;
  const self = p.participantId === props.selfId;
  const attendee = p.role === 'attendee';
  // Hosts manage everyone but the meeting's host; a co-host may still pin the host's voice.
  const manage = props.isHost && !self && p.role !== 'host';
  const pin = props.isHost && !self && !attendee && (props.pinned || props.canPin);
  return (
    <li
      className="roster-row"
      data-testid="roster-item"
      data-participant-id={p.participantId}
      {...(props.pos ? { 'aria-posinset': props.pos.index + 1, 'aria-setsize': props.pos.size, style: props.pos.style } : {})}
    >
      <span className={props.speaker === p.participantId ? 'roster-name speaking-text' : 'roster-name'}>
        <span data-testid="roster-name">{self ? t('meeting.nameYou', { name: p.displayName }) : p.displayName}</span>
        {p.role !== 'participant' && <span className="chip">{t(`meeting.${p.role}`)}</span>}
      </span>
      <span className="roster-icons">
        {props.pinned && (
          <span className="icon icon-pin dark" role="img" aria-label={t('meeting.audioPinned')} title={t('meeting.audioPinned')} data-testid="roster-pin" />
        )}
        {p.hand === true && <span className="icon icon-hand dark" role="img" aria-label={t('meeting.handRaised')} data-testid="roster-hand" />}
        {!attendee && !p.audio && <span className="icon icon-mic-off dark" role="img" aria-label={t('meeting.muted')} />}
        {!attendee && !p.video && <span className="icon icon-cam-off dark" role="img" aria-label={t('meeting.cameraOffLabel')} />}
        {p.screen && <span className="chip">{t('meeting.sharing')}</span>}
      </span>
      {(manage || pin) && (
        <details className="row-menu">
          <summary aria-label={t('meeting.actionsFor', { name: p.displayName })} data-testid="participant-menu">
            ⋯
          </summary>
          <div
            className="menu"
            role="group"
            aria-label={t('meeting.actionsFor', { name: p.displayName })}
            onClick={(e) => {
              // Close the menu once an action is chosen.
              const details = e.currentTarget.closest('details');
              if (details && (e.target as HTMLElement).closest('button')) details.open = false;
            }}
          >
            {pin && (
              <button type="button" onClick={() => actions.pinAudio(p.participantId, !props.pinned)} data-testid={props.pinned ? 'host-unpin' : 'host-pin'}>
                {props.pinned ? t('meeting.unpinAudio') : t('meeting.pinAudio')}
              </button>
            )}
            {manage && p.audio && (
              <button type="button" onClick={() => actions.mute(p.participantId)} data-testid="host-mute">
                {t('meeting.muteParticipant')}
              </button>
            )}
            {manage && props.event && (attendee || p.role === 'panelist') && (
              <button type="button" onClick={() => actions.setPanelist(p.participantId, attendee)} data-testid={attendee ? 'host-promote' : 'host-demote'}>
                {attendee ? t('meeting.promote') : t('meeting.demote')}
              </button>
            )}
            {manage && props.isOwner && (p.role === 'cohost' || p.role === 'participant' || p.role === 'panelist') && (
              <button type="button" onClick={() => actions.setRole(p.participantId, p.role === 'cohost' ? 'participant' : 'cohost')} data-testid="host-role">
                {p.role === 'cohost' ? t('meeting.revokeCohost') : t('meeting.makeCohost')}
              </button>
            )}
            {manage && (
              <button type="button" className="danger-text" onClick={() => props.onRemove(p)} data-testid="host-remove">
                {t('meeting.removeParticipant')}
              </button>
            )}
          </div>
        </details>
      )}
    </li>
  );
}
