/**
 * The one polite live region (WCAG 4.1.3): joins, leaves, removals, raised hands, new chat
 * messages and reconnecting are said through `announce()`. The region is in the page from the
 * start (a region added together with its text is often not read) and keeps the last few
 * lines, so two announcements in one tick are both heard.
 */
import { useEffect, useRef, useSyncExternalStore } from 'react';

interface Line {
  id: number;
  text: string;
}

const KEEP = 5;
let lines: readonly Line[] = [];
let next = 1;
const listeners = new Set<() => void>();

/** Say `text` politely (it waits for the screen reader to finish what it is saying). */
export function announce(text: string): void {
  const line = text.trim();
  if (!line) return;
  lines = [...lines, { id: next++, text: line }].slice(-KEEP);
  for (const l of listeners) l();
}

/** Announce `text` whenever it changes to a new non-empty value (null: nothing to say). */
export function useAnnounce(text: string | null): void {
  const last = useRef<string | null>(null);
  useEffect(() => {
    if (text !== null && text !== last.current) announce(text);
    last.current = text;
  }, [text]);
}

function subscribe(cb: () => void): () => void {
  listeners.add(cb);
  return () => listeners.delete(cb);
}

/** Rendered once, in the app shell. */
export function Announcer() {
  const shown = useSyncExternalStore(
    subscribe,
    () => lines,
    () => lines,
  );
  return (
    <div className="visually-hidden" role="status" aria-live="polite" aria-atomic="false" aria-relevant="additions text" data-testid="announcer">
      {shown.map((l) => (
        <p key={l.id}>{l.text}</p>
      ))}
    </div>
  );
}
