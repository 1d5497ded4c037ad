/**
 * Room keyboard shortcuts: M mute/unmute, V camera, C chat, P participants, H raise hand, Space
 * held to talk while muted. Single keys (WCAG 2.1.4), so they can be switched off (stored per
 * browser) and never fire while typing, with a modifier held, or inside a dialog or menu.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { load, save } from '../../lib/storage.js';

export const SHORTCUTS_KEY = 'parley.shortcuts';

export type ShortcutAction = 'mic' | 'camera' | 'chat' | 'roster' | 'hand';

/** The keys, in the order the help lists them. */
export const SHORTCUT_KEYS: readonly { key: string; action: ShortcutAction }[] = [
  { key: 'M', action: 'mic' },
  { key: 'V', action: 'camera' },
  { key: 'C', action: 'chat' },
  { key: 'P', action: 'roster' },
  { key: 'H', action: 'hand' },
];

export function useShortcutsSetting(): [boolean, (on: boolean) => void] {
  const [on, setOn] = useState(() => load(SHORTCUTS_KEY) !== 'off');
  const set = useCallback((v: boolean) => {
    setOn(v);
    save(SHORTCUTS_KEY, v ? 'on' : 'off');
  }, []);
  return [on, set];
}

/** Typing, a control that uses the key itself, or a modal/menu: no shortcut there. */
function keyBelongsToTarget(target: EventTarget | null, key: string): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.closest('input, textarea, select, dialog, details[open]')) return true;
  // Space presses a focused button or follows a link.
  return key === ' ' && target.closest('button, a[href], summary, [role="button"], [tabindex]:not([tabindex="-1"])') !== null;
}

export function useShortcuts(opts: {
  enabled: boolean;
  micOn: boolean;
  onAction: (a: ShortcutAction) => void;
  /** Push-to-talk: called with true on Space down (while muted) and false on release. */
  onTalk: (talking: boolean) => void;
}): boolean {
  const latest = useRef(opts);
  latest.current = opts;
  const [talking, setTalking] = useState(false);
  const talkingRef = useRef(false);

  useEffect(() => {
    if (!opts.enabled) return;
    const down = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
      if (keyBelongsToTarget(e.target, e.key)) return;
      if (e.key === ' ') {
        e.preventDefault();
        if (e.repeat || talkingRef.current || latest.current.micOn) return;
        talkingRef.current = true;
        setTalking(true);
        latest.current.onTalk(true);
        return;
      }
      const hit = SHORTCUT_KEYS.find((s) => s.key === e.key.toUpperCase());
      if (!hit || e.repeat) return;
      e.preventDefault();
      latest.current.onAction(hit.action);
    };
    const up = (e: KeyboardEvent) => {
      if (e.key !== ' ' || !talkingRef.current) return;
      talkingRef.current = false;
      setTalking(false);
      latest.current.onTalk(false);
    };
    // Releasing Space elsewhere (another window) must not leave the mic open.
    const blur = () => up(new KeyboardEvent('keyup', { key: ' ' }));
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    window.addEventListener('blur', blur);
    return () => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
      window.removeEventListener('blur', blur);
    };
  }, [opts.enabled]);
  return talking;
}
