import type { ReactNode } from 'react';

/**
 * A wide table scrolls inside this region, never the page (320 px, WCAG 1.4.10); the region is
 * focusable and named, so a keyboard user can scroll it too.
 */
export function TableRegion({ label, className = 'pl-table-wrap', children }: { label: string; className?: string; children: ReactNode }) {
  return (
    <div className={className} role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
