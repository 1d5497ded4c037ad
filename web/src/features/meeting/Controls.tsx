import { useTranslation } from 'react-i18next';

export type Panel = 'roster' | 'chat' | null;

function CtlButton(props: {
  label: string;
  /** The accessible name when it says more than the label (it starts with the label: WCAG 2.5.3). */
  name?: string;
  /** Shown instead of the label on phones; the full label stays the accessible name. */
  short?: string;
  icon: string;
  onClick: () => void;
  pressed?: boolean;
  off?: boolean;
  danger?: boolean;
  badge?: number;
  testId: string;
  expanded?: boolean;
  disabled?: boolean;
}) {
  const cls = ['ctl', props.off ? 'ctl-off' : '', props.danger ? 'ctl-danger' : '', props.pressed ? 'ctl-active' : ''].filter(Boolean).join(' ');
  return (
    <button
      type="button"
      className={cls}
      onClick={props.onClick}
      aria-pressed={props.pressed}
      aria-expanded={props.expanded}
      disabled={props.disabled}
      aria-label={props.name ?? props.label}
      title={props.name ?? props.label}
      data-testid={props.testId}
    >
      <span className={`icon icon-${props.icon}`} aria-hidden="true" />
      <span className="ctl-label" aria-hidden="true">
        {props.label}
      </span>
      <span className="ctl-label-short" aria-hidden="true">
        {props.short ?? props.label}
      </span>
      {props.badge !== undefined && props.badge > 0 && <span className="ctl-badge" aria-hidden="true" data-count={props.badge > 99 ? '99+' : props.badge} />}
    </button>
  );
}

export function Controls(props: {
  micOn: boolean;
  camOn: boolean;
  sharing: boolean;
  canShare: boolean;
  panel: Panel;
  rosterCount: number;
  waitingCount: number;
  unread: number;
  hand: boolean;
  /** False for an event's attendee: no mic, camera or share; the hand asks to speak. */
  canPublish: boolean;
  /** The host keeps mics muted (`micsLocked`): unmuting is not possible until lifted. */
  micLocked: boolean;
  onMic: () => void;
  onCam: () => void;
  onShare: () => void;
  onHand: () => void;
  /** Open the panel, or close it when it is the one open. */
  onPanel: (p: Exclude<Panel, null>) => void;
  onLeave: () => void;
}) {
  const { t } = useTranslation();
  return (
    <nav className="controls" aria-label={t('meeting.controls')}>
      {props.canPublish && (
        <CtlButton
          label={props.micOn ? t('meeting.muteMic') : props.micLocked ? t('meeting.micLocked') : t('meeting.unmuteMic')}
          short={props.micOn ? t('meeting.muteShort') : t('meeting.unmuteShort')}
          icon={props.micOn ? 'mic' : 'mic-off'}
          off={!props.micOn}
          disabled={!props.micOn && props.micLocked}
          onClick={props.onMic}
          testId="toggle-mic"
        />
      )}
      {props.canPublish && (
        <CtlButton
          label={props.camOn ? t('meeting.stopCamera') : t('meeting.startCamera')}
          short={t('meeting.videoShort')}
          icon={props.camOn ? 'cam' : 'cam-off'}
          off={!props.camOn}
          onClick={props.onCam}
          testId="toggle-camera"
        />
      )}
      {props.canPublish && props.canShare && (
        <CtlButton
          label={props.sharing ? t('meeting.stopShare') : t('meeting.share')}
          short={t('meeting.shareShort')}
          icon="screen"
          pressed={props.sharing}
          onClick={props.onShare}
          testId="toggle-share"
        />
      )}
      <CtlButton
        label={`${t('meeting.roster')} ${props.rosterCount}`}
        short={String(props.rosterCount)}
        icon="people"
        pressed={props.panel === 'roster'}
        expanded={props.panel === 'roster'}
        badge={props.waitingCount}
        onClick={() => props.onPanel('roster')}
        testId="toggle-roster"
      />
      <CtlButton
        label={t('meeting.chat')}
        name={props.unread > 0 ? t('meeting.chatUnread', { count: props.unread }) : t('meeting.chat')}
        icon="chat"
        pressed={props.panel === 'chat'}
        expanded={props.panel === 'chat'}
        badge={props.unread}
        onClick={() => props.onPanel('chat')}
        testId="toggle-chat"
      />
      <CtlButton
        label={props.hand ? t('meeting.lowerHand') : props.canPublish ? t('meeting.raiseHand') : t('meeting.raiseHandToSpeak')}
        short={t('meeting.handShort')}
        icon="hand"
        pressed={props.hand}
        onClick={props.onHand}
        testId="toggle-hand"
      />
      <CtlButton label={t('meeting.leave')} icon="leave" danger onClick={props.onLeave} testId="leave" />
    </nav>
  );
}
