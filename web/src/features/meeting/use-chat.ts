/**
 * Chat as the panel shows it. In an end-to-end encrypted meeting every message arrives sealed;
 * this opens each one once with the sender's key (security session) and remembers the result.
 */
import { useEffect, useRef, useState } from 'react';
import type { SecuritySession } from '../../security/index.js';
import type { ChatMessage } from './room-state.js';

export interface ShownChatMessage {
  messageId: string;
  from: string;
  displayName: string;
  at: number;
  /** The words, or null while a sealed message is being opened or if it cannot be. */
  text: string | null;
  sealed: boolean;
  state: 'plain' | 'opening' | 'opened' | 'unreadable';
}

export function useChat(messages: ChatMessage[], security: SecuritySession | null): ShownChatMessage[] {
  const [opened, setOpened] = useState<ReadonlyMap<string, string | null>>(new Map());
  const started = useRef(new Set<string>());
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  useEffect(() => {
    for (const m of messages) {
      if (m.sealed === undefined || started.current.has(m.messageId)) continue;
      started.current.add(m.messageId);
      void (security ? security.openChat(m.from, m.sealed) : Promise.resolve(null)).then((text) => {
        if (mounted.current) setOpened((prev) => new Map(prev).set(m.messageId, text));
      });
    }
  }, [messages, security]);

  return messages.map((m) => {
    const base = { messageId: m.messageId, from: m.from, displayName: m.displayName, at: m.at };
    if (m.sealed === undefined) return { ...base, text: m.text ?? '', sealed: false, state: 'plain' as const };
    if (!opened.has(m.messageId)) return { ...base, text: null, sealed: true, state: 'opening' as const };
    const text = opened.get(m.messageId) ?? null;
    return { ...base, text, sealed: true, state: text === null ? ('unreadable' as const) : ('opened' as const) };
  });
}
