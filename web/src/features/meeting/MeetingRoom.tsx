import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import type { JoinResult } from '../../../../protocol/signaling.js';
import { LanguageMenu } from '../../components/LanguageMenu.js';
import i18n from '../../i18n/i18n.js';
import { isPinnedE2ee, registerSecurityI18n } from '../../security/index.js';
import { DowngradeAlarm } from '../../security/ui/DowngradeAlarm.js';
import { SecurityPanel } from '../../security/ui/SecurityPanel.js';
import { useDocumentTitle } from '../../lib/document-title.js';
import { errorText } from '../../lib/errors.js';
import type { SignalingClient } from '../../lib/signaling.js';
import { Banners } from './Banners.js';
import { ChatPanel, SealError } from './ChatPanel.js';
import { Controls, type Panel } from './Controls.js';
import { isHostRole } from './room-state.js';
import { RosterPanel, type HostActions } from './RosterPanel.js';
import type { RoomLink } from './room-link.js';
import { RoomSecurityWarnings } from './RoomSecurityWarnings.js';
import { RemovedScreen, WaitingScreen } from './Screens.js';
import { SecurityIndicator } from './SecurityIndicator.js';
import { ShortcutsHelp } from './ShortcutsHelp.js';
import { useAnnouncements } from './use-announcements.js';
import { useShortcuts, useShortcutsSetting, type ShortcutAction } from './use-shortcuts.js';
import './security.css';
import { useMedia, streamKey, type LocalMedia } from './use-media.js';
import { useChat } from './use-chat.js';
import { useRoom } from './use-room.js';
import { RemoteAudio } from './VideoTile.js';
import { VideoGrid } from './VideoGrid.js';

// The security module's strings ('security' namespace), once per page.
registerSecurityI18n(i18n);

export function MeetingRoom(props: { client: SignalingClient; join: JoinResult; local: LocalMedia; link: RoomLink; onLeft: () => void }) {
  const { t } = useTranslation();
  const { client, link } = props;
  const [room] = useRoom(client, props.join);
  const security = useSyncExternalStore(link.subscribe, link.getSession);
  const chat = useChat(room.chat, security);
  const media = useMedia(client, room, props.local, link);
  const [panel, setPanel] = useState<Panel>(null);
  const [seenChat, setSeenChat] = useState(0);
  const [mutedBy, setMutedBy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const isHost = isHostRole(room.role);
  /** An event's attendee only receives: no mic, camera or share until a host promotes them. */
  const canPublish = room.role !== 'attendee';
  const micLocked = room.meeting.micsLocked === true && !isHost;
  const left = useRef(false);
  const [shortcutsOn, setShortcutsOn] = useShortcutsSetting();
  const heading = useRef<HTMLHeadingElement>(null);
  const panelRef = useRef<HTMLElement>(null);
  useDocumentTitle(room.meeting.title);

  // After Join the lobby's button is gone: focus starts on the room's name, not the body.
  useEffect(() => {
    if (room.phase === 'joined') heading.current?.focus();
  }, [room.phase]);

  // An opened panel takes focus (chat: its message box; participants: its heading).
  useEffect(() => {
    const el = panelRef.current;
    if (!panel || !el) return;
    (panel === 'chat' ? el.querySelector<HTMLElement>('#chat-input') : el.querySelector<HTMLElement>('.panel-head h2'))?.focus();
  }, [panel]);
  // Closing gives focus back to the button that opens it (its panel is about to go).
  const closePanel = useCallback(() => {
    setPanel((was) => {
      if (was) document.querySelector<HTMLElement>(`[data-testid="toggle-${was}"]`)?.focus();
      return null;
    });
  }, []);
  const togglePanel = useCallback((p: Exclude<Panel, null>) => (panel === p ? closePanel() : setPanel(p)), [panel, closePanel]);

  useAnnouncements({ client, room, chat, chatOpen: panel === 'chat', mediaReconnecting: media.reconnecting.pub || media.reconnecting.sub });

  useEffect(
    () =>
      client.on('you.muted', ({ by }) => {
        // `by` may be a participant id or already a display name.
        const who = room.roster.find((p) => p.participantId === by)?.displayName ?? (by.trim() || null);
        setMutedBy(who ?? t('meeting.someone'));
      }),
    [client, room.roster, t],
  );

  useEffect(() => {
    if (panel === 'chat') setSeenChat(room.chat.length);
  }, [panel, room.chat.length]);

  // The security session lives as long as the room (closed on leave, removal, unmount).
  useEffect(() => link.retain(), [link]);

  // Removed or ended: media stops at once; the socket is finished.
  useEffect(() => {
    if (room.phase !== 'removed') return;
    media.stopAll();
    link.close();
    client.close();
  }, [room.phase, client, link, media.stopAll]); // eslint-disable-line react-hooks/exhaustive-deps

  const leave = useCallback(() => {
    if (left.current) return;
    left.current = true;
    void client
      .request('leave', {})
      .catch(() => undefined)
      .finally(() => {
        link.close();
        client.close();
        media.stopAll();
        props.onLeft();
      });
  }, [client, link, media, props]);

  // Closing the tab is a leave too; the server would otherwise wait for a timeout.
  useEffect(() => {
    const onUnload = () => client.close();
    window.addEventListener('pagehide', onUnload);
    return () => window.removeEventListener('pagehide', onUnload);
  }, [client]);

  const run = useCallback(
    (type: Parameters<SignalingClient['request']>[0], payload: object) => {
      setActionError(null);
      client.request(type, payload as never).catch((err: unknown) => setActionError(errorText(t, err)));
    },
    [client, t],
  );
  const self = room.roster.find((p) => p.participantId === room.selfId);
  const handUp = self?.hand === true;
  const onShortcut = (a: ShortcutAction) => {
    if ((a === 'mic' || a === 'camera') && !canPublish) return;
    if (a === 'mic') {
      if (!media.micOn && micLocked) return;
      void media.setMic(!media.micOn);
    } else if (a === 'camera') void media.setCamera(!media.camOn);
    else if (a === 'hand') run('hand.raise', { raised: !handUp });
    else togglePanel(a);
  };
  const talking = useShortcuts({
    enabled: shortcutsOn && room.phase === 'joined',
    micOn: media.micOn,
    onAction: onShortcut,
    onTalk: (on) => {
      if (canPublish && !(on && micLocked)) void media.setMic(on);
    },
  });

  const actions: HostActions = {
    admit: (id) => run('host.admit', { participantId: id }),
    deny: (id) => run('host.deny', { participantId: id }),
    mute: (id) => run('host.mute', { participantId: id }),
    remove: (id) => run('host.remove', { participantId: id }),
    setRole: (id, role) => run('host.role', { participantId: id, role }),
    setPanelist: (id, panelist) => run('host.panelist', { participantId: id, panelist }),
    pinAudio: (id, pinned) => {
      // Only people still here: the server refuses a pin list naming someone who left.
      const others = (room.meeting.pinnedAudio ?? []).filter((x) => x !== id && room.roster.some((p) => p.participantId === x));
      run('host.pin-audio', { participantIds: pinned ? [...others, id] : others });
    },
    muteAll: (lock) => run('host.mute-all', { lock }),
    micsLock: (locked) => run('host.mics-lock', { locked }),
    lock: (locked) => run('host.lock', { locked }),
    endForAll: () => run('host.end', {}),
  };

  if (room.phase === 'removed' && room.removal) return <RemovedScreen notice={room.removal} mode="removed" />;
  if (room.phase === 'waiting') return <WaitingScreen title={room.meeting.title} onLeave={leave} />;

  // Fixed when the security session started (and remembered per meeting): a later
  // `meeting.updated` from the server cannot make this room send plain chat or media.
  const e2ee = security ? security.e2ee : room.meeting.e2ee || isPinnedE2ee(room.meeting.meetingId);
  const unread = panel === 'chat' ? 0 : Math.max(0, room.chat.length - seenChat);
  const canShare = typeof navigator.mediaDevices?.getDisplayMedia === 'function';

  return (
    <div className={panel ? 'room with-panel' : 'room'} data-testid="meeting-room">
      <header className="room-header">
        <div className="room-title">
          <h1 ref={heading} tabIndex={-1} data-testid="room-title">
            {room.meeting.title}
          </h1>
          <span className="room-count" data-testid="participant-count">
            {t('meeting.participants', { count: room.roster.length })}
          </span>
          {room.meeting.locked && <span className="chip chip-warn">{t('meeting.locked')}</span>}
          {room.meeting.event === true && (
            <span className="chip" data-testid="event-role">
              {t(`meeting.${room.role}`)}
            </span>
          )}
          {room.meeting.micsLocked === true && <span className="chip chip-warn">{t('meeting.micsLockedChip')}</span>}
          {security && e2ee ? <SecurityIndicator session={security} /> : e2ee && <span className="chip">{t('meeting.e2ee')}</span>}
          {talking && (
            <span className="chip chip-live" data-testid="push-to-talk">
              {t('meeting.pushToTalk')}
            </span>
          )}
          {media.screen && (
            <span className="chip chip-live" data-testid="sharing-indicator">
              {t('meeting.sharing')}
            </span>
          )}
        </div>
        <ShortcutsHelp enabled={shortcutsOn} onEnabled={setShortcutsOn} />
        <LanguageMenu />
      </header>
      <Banners
        connection={room.connection}
        notices={room.notices}
        mutedBy={mutedBy}
        onDismissMuted={() => setMutedBy(null)}
        mediaError={media.error}
        actionError={actionError}
        onDismissAction={() => setActionError(null)}
        onRejoin={() => {
          media.stopAll();
          link.close();
          props.onLeft();
        }}
      />
      {!canPublish && (
        <p className="small event-note" role="note" data-testid="attendee-note">
          {t('meeting.attendeeNote')}
        </p>
      )}
      {security && <DowngradeAlarm session={security} onLeave={leave} />}
      {security && (
        <div className="banners security-banners">
          <RoomSecurityWarnings session={security} />
        </div>
      )}
      <main id="main" className="room-main">
        <VideoGrid
          // An event's stage: hosts and panelists. Attendees are in the roster panel, not in tiles.
          roster={room.meeting.event === true ? room.roster.filter((p) => p.role !== 'attendee') : room.roster}
          selfId={room.selfId}
          self={self && canPublish ? { ...self, audio: media.micOn, video: media.camOn } : undefined}
          local={media.local}
          localScreen={media.screen}
          remote={media.remote}
          speaker={room.speaker}
          setLayer={media.setLayer}
          reconnecting={media.reconnecting}
          setView={media.setView}
          pinnedAudio={room.meeting.pinnedAudio ?? []}
        />
        {panel && (
          <aside
            ref={panelRef}
            className="panel"
            aria-labelledby="panel-title"
            data-testid={`${panel}-panel`}
            onKeyDown={(e) => {
              // Escape closes the innermost thing open: a row menu, else the panel (a dialog handles its own).
              if (e.key !== 'Escape' || e.defaultPrevented) return;
              const target = e.target as HTMLElement;
              if (target.closest('dialog')) return;
              e.preventDefault();
              const menu = target.closest('details');
              if (menu?.open) {
                menu.open = false;
                menu.querySelector('summary')?.focus();
              } else closePanel();
            }}
          >
            <div className="panel-head">
              <h2 id="panel-title" tabIndex={-1}>
                {panel === 'roster' ? `${t('meeting.roster')} (${room.roster.length})` : t('meeting.chat')}
              </h2>
              <button type="button" className="btn btn-ghost btn-small" onClick={closePanel} aria-label={t('meeting.closePanel')} data-testid="close-panel">
                ✕
              </button>
            </div>
            {panel === 'roster' ? (
              <RosterPanel
                roster={room.roster}
                waiting={room.waiting}
                selfId={room.selfId}
                isHost={isHost}
                isOwner={room.role === 'host'}
                meeting={room.meeting}
                speaker={room.speaker}
                actions={actions}
                security={security ? <SecurityPanel session={security} warnings={false} /> : null}
              />
            ) : (
              <ChatPanel
                messages={chat}
                selfId={room.selfId}
                sealed={e2ee}
                send={async (text) => {
                  if (!security && !e2ee) {
                    await client.request('chat.send', { text });
                    return;
                  }
                  // The security session decides (e2ee-session.ts chatPayload): in an E2EE
                  // meeting the server only ever gets the sealed message, never plain words.
                  let payload: { sealed: string } | { text: string };
                  try {
                    if (!security) throw new Error('no security session');
                    payload = await security.chatPayload(text);
                  } catch (err) {
                    throw new SealError(err instanceof Error ? err.message : String(err));
                  }
                  await client.request('chat.send', payload);
                }}
              />
            )}
          </aside>
        )}
      </main>
      {room.roster
        .filter((p) => p.participantId !== room.selfId)
        .map((p) => {
          const s = media.remote[streamKey(p.participantId, 'audio')];
          return s ? <RemoteAudio key={p.participantId} stream={s} /> : null;
        })}
      <Controls
        micOn={media.micOn}
        camOn={media.camOn}
        sharing={media.screen !== null}
        canShare={canShare}
        panel={panel}
        rosterCount={room.roster.length}
        waitingCount={isHost ? room.waiting.length : 0}
        unread={unread}
        hand={handUp}
        canPublish={canPublish}
        micLocked={micLocked}
        onMic={() => void media.setMic(!media.micOn)}
        onCam={() => void media.setCamera(!media.camOn)}
        onShare={() => void media.toggleScreen()}
        onHand={() => onShortcut('hand')}
        onPanel={togglePanel}
        onLeave={leave}
      />
    </div>
  );
}
