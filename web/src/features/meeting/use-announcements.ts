/**
 * What the room says out loud, politely, through the one live region (lib/announcer.tsx):
 * joins, leaves, removals, raised hands, new chat messages and reconnecting. Nothing here
 * reads the security code: that is in the participants panel, read when asked for.
 */
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { announce } from '../../lib/announcer.js';
import type { SignalingClient } from '../../lib/signaling.js';
import type { RoomState } from './room-state.js';
import type { ShownChatMessage } from './use-chat.js';

export function useAnnouncements(opts: {
  client: SignalingClient;
  room: RoomState;
  chat: ShownChatMessage[];
  chatOpen: boolean;
  mediaReconnecting: boolean;
}): void {
  const { t } = useTranslation();
  const { client, room } = opts;
  const names = useRef(new Map<string, string>());
  names.current = new Map(room.roster.map((p) => [p.participantId, p.displayName]));
  const selfId = useRef(room.selfId);
  selfId.current = room.selfId;

  // Joins and leaves from the events (the roster diff cannot tell a removal from a leave).
  useEffect(() => {
    const offJoin = client.on('participant.joined', (p) => {
      if (p.participantId !== selfId.current && !names.current.has(p.participantId)) announce(t('meeting.announceJoined', { name: p.displayName }));
    });
    const offLeft = client.on('participant.left', ({ participantId, reason }) => {
      const name = names.current.get(participantId);
      if (!name || participantId === selfId.current) return;
      announce(reason === 'removed' ? t('meeting.announceRemoved', { name }) : t('meeting.announceLeft', { name }));
    });
    return () => {
      offJoin();
      offLeft();
    };
  }, [client, t]);

  // Hands: a raise is news; lowering is not.
  const hands = useRef<Set<string> | null>(null);
  useEffect(() => {
    const now = new Set(room.roster.filter((p) => p.hand === true).map((p) => p.participantId));
    const before = hands.current;
    hands.current = now;
    if (!before) return;
    for (const p of room.roster) if (now.has(p.participantId) && !before.has(p.participantId)) announce(t('meeting.announceHand', { name: p.displayName }));
  }, [room.roster, t]);

  // Chat: each new message from someone else; its words only while the chat is open.
  const seen = useRef<Set<string> | null>(null);
  useEffect(() => {
    const before = seen.current;
    seen.current = new Set(opts.chat.map((m) => m.messageId));
    if (!before) return;
    for (const m of opts.chat) {
      if (before.has(m.messageId) || m.from === room.selfId) continue;
      announce(
        opts.chatOpen && m.text !== null
          ? t('meeting.announceChatOpen', { name: m.displayName, text: m.text })
          : t('meeting.announceChat', { name: m.displayName }),
      );
    }
  }, [opts.chat, opts.chatOpen, room.selfId, t]);

  useAnnounceWhen(room.connection === 'reconnecting', t('meeting.reconnecting'));
  useAnnounceWhen(opts.mediaReconnecting && room.connection !== 'reconnecting', t('meeting.mediaReconnecting'));
}

/** Announce `text` each time `on` turns true (not while it stays true). */
function useAnnounceWhen(on: boolean, text: string): void {
  const was = useRef(false);
  useEffect(() => {
    if (on && !was.current) announce(text);
    was.current = on;
  }, [on, text]);
}
