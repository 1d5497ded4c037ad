/**
 * Tiles per page of the video grid, a per-browser setting (issue 15): 4, 9, 16 or 25 people
 * besides yourself. The page is what the SFU is asked to send, so fewer tiles also means less
 * video to receive and decode (phones).
 */
import { useCallback, useState } from 'react';
import { load, save } from '../../lib/storage.js';

export const PAGE_SIZE_KEY = 'parley.tilesPerPage';
export const PAGE_SIZES = [4, 9, 16, 25] as const;
export type PageSize = (typeof PAGE_SIZES)[number];
/** Narrower than this (a phone held upright), the default is the smallest page. */
export const NARROW_PX = 600;

/** The default for a window this wide: 25 on a desktop, 4 on a phone. */
export function defaultPageSize(widthPx: number): PageSize {
  return widthPx < NARROW_PX ? 4 : 25;
}

/** A stored value if it is one of the choices, else null (old or hand-edited storage). */
export function parsePageSize(stored: string | null): PageSize | null {
  return PAGE_SIZES.find((n) => String(n) === stored) ?? null;
}

/** The remembered choice, or the default for this window; the setter remembers it. */
export function usePageSize(): [PageSize, (n: PageSize) => void] {
  const [size, setSize] = useState<PageSize>(() => parsePageSize(load(PAGE_SIZE_KEY)) ?? defaultPageSize(window.innerWidth));
  const set = useCallback((n: PageSize) => {
    setSize(n);
    save(PAGE_SIZE_KEY, String(n));
  }, []);
  return [size, set];
}
