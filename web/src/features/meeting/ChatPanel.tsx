import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MAX_CHAT_CHARS } from '../../../../protocol/signaling.js';
import type { ShownChatMessage } from './use-chat.js';

/** Thrown by a `send` that could not seal the message (no key on this device yet). */
export class SealError extends Error {}

// Same number as protocol's MAX_CHAT_CHARS; the type ties them (importing the value would bundle zod).
const MAX_CHARS: typeof MAX_CHAT_CHARS = 4000;

/** `sealed`: the meeting is end-to-end encrypted, so messages are sealed and opened on the devices. */
export function ChatPanel(props: { messages: ShownChatMessage[]; selfId: string; sealed: boolean; send: (text: string) => Promise<void> }) {
  const { t, i18n } = useTranslation();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const listRef = useRef<HTMLOListElement>(null);
  const time = new Intl.DateTimeFormat(i18n.language, { hour: '2-digit', minute: '2-digit' });

  useEffect(() => {
    const el = listRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [props.messages.length]);

  const submit = async (e: { preventDefault(): void }) => {
    e.preventDefault();
    const body = text.trim();
    if (!body || busy) return;
    setBusy(true);
    setError(null);
    try {
      await props.send(body);
      setText('');
    } catch (err) {
      setError(err instanceof SealError ? t('meeting.chatNoKey') : t('meeting.chatFailed'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="panel-body chat">
      {props.sealed && (
        <p className="chat-sealed small" data-testid="chat-sealed">
          <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true" focusable="false">
            <path
              fill="currentColor"
              d="M4.5 7V5a3.5 3.5 0 0 1 7 0v2H12a1 1 0 0 1 1 1v6a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1h.5ZM6 7h4V5a2 2 0 1 0-4 0v2Z"
            />
          </svg>{' '}
          {t('meeting.chatSealed')}
        </p>
      )}
      {/* New messages are announced by the room (use-announcements.ts), open or closed. */}
      <ol className="chat-list" ref={listRef} aria-labelledby="panel-title" tabIndex={0} data-testid="chat-list">
        {props.messages.length === 0 && <li className="muted small chat-empty">{t('meeting.chatEmpty')}</li>}
        {props.messages.map((m) => (
          <li key={m.messageId} className={m.from === props.selfId ? 'chat-msg mine' : 'chat-msg'} data-testid="chat-message">
            <div className="chat-meta">
              <strong data-testid="chat-from">{m.displayName}</strong>
              <time dateTime={new Date(m.at).toISOString()}>{time.format(m.at)}</time>
            </div>
            {m.text !== null ? (
              <p className="chat-text">{m.text}</p>
            ) : (
              <p className="chat-text muted" data-state={m.state}>
                {m.state === 'opening' ? t('meeting.chatOpening') : t('meeting.chatUnreadable')}
              </p>
            )}
          </li>
        ))}
      </ol>
      {error && (
        <p className="error small" role="alert">
          {error}
        </p>
      )}
      <form className="chat-form" onSubmit={(e) => void submit(e)}>
        <label className="visually-hidden" htmlFor="chat-input">
          {t('meeting.chatPlaceholder')}
        </label>
        <textarea
          id="chat-input"
          rows={1}
          value={text}
          maxLength={MAX_CHARS}
          placeholder={t('meeting.chatPlaceholder')}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            // Enter sends; Shift+Enter breaks the line; never during IME composition (Chinese input).
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              void submit(e);
            }
          }}
          data-testid="chat-input"
        />
        <button type="submit" className="btn btn-primary" disabled={busy || !text.trim()} data-testid="chat-send">
          {t('meeting.send')}
        </button>
      </form>
    </div>
  );
}
