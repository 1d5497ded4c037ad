import { useEffect, useRef, useState, type CSSProperties, type ReactNode } from 'react';
import { windowRange } from './roster-view.js';

/** Every row of the window is this tall (styles.css `.roster-window .roster-row`). */
export const ROW_HEIGHT = 44;

/**
 * A list of `count` fixed-height rows of which only those in view (and a few either side)
 * exist in the DOM: a 300-person roster is ~25 elements. Each row carries aria-posinset and
 * aria-setsize, so a screen reader still says "12 of 300".
 */
export function RosterWindow(props: { count: number; label: string; children: (index: number, style: CSSProperties) => ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 440 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setView({ top: el.scrollTop, height: el.clientHeight || 440 });
    measure();
    el.addEventListener('scroll', measure, { passive: true });
    const ro = typeof ResizeObserver === 'function' ? new ResizeObserver(measure) : null;
    ro?.observe(el);
    return () => {
      el.removeEventListener('scroll', measure);
      ro?.disconnect();
    };
  }, []);
  const { start, end } = windowRange(props.count, view.top, view.height, ROW_HEIGHT);
  const rows: ReactNode[] = [];
  for (let i = start; i < end; i++) rows.push(props.children(i, { position: 'absolute', top: i * ROW_HEIGHT, left: 0, right: 0, height: ROW_HEIGHT }));
  return (
    // A scrollable region is reachable by keyboard (WCAG 2.1.1); its rows' menus are inside.
    <div ref={ref} className="roster-window" tabIndex={0} role="region" aria-label={props.label} data-testid="roster-window">
      <ul className="roster" data-testid="roster-list" style={{ position: 'relative', height: props.count * ROW_HEIGHT }}>
        {rows}
      </ul>
    </div>
  );
}
