/** A tiny history-based router: enough for a handful of routes, no library. */
import { useSyncExternalStore, type MouseEvent } from 'react';

const listeners = new Set<() => void>();
function notify(): void {
  for (const l of listeners) l();
}
if (typeof window !== 'undefined') window.addEventListener('popstate', notify);

function subscribe(cb: () => void): () => void {
  listeners.add(cb);
  return () => listeners.delete(cb);
}

/** Go to a same-origin path without reloading. */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.scrollTo(0, 0);
  notify();
}

/** The current location; re-renders on navigation. */
export function useLocation(): { pathname: string; search: string } {
  const href = useSyncExternalStore(subscribe, () => location.pathname + location.search);
  const url = new URL(href, 'http://x');
  return { pathname: url.pathname, search: url.search };
}

export type Route =
  | { name: 'home' }
  | { name: 'meeting'; meetingId: string }
  | { name: 'admin' }
  | { name: 'compliance' }
  | { name: 'transparency' }
  | { name: 'settings' }
  | { name: 'notFound' };

export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { name: 'home' };
  const m = /^\/m\/([A-Za-z0-9_-]{1,64})$/.exec(path);
  if (m?.[1]) return { name: 'meeting', meetingId: m[1] };
  if (path === '/admin') return { name: 'admin' };
  if (path === '/compliance') return { name: 'compliance' };
  if (path === '/transparency' || path.startsWith('/transparency/')) return { name: 'transparency' };
  if (path === '/settings') return { name: 'settings' };
  return { name: 'notFound' };
}

/** onClick for <a href> that keeps plain clicks inside the app and lets modified clicks open tabs. */
export function linkHandler(to: string) {
  return (e: MouseEvent<HTMLAnchorElement>): void => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
}
