/**
 * The focus ring (--focus) must be at least 3:1 against every background it can sit on
 * (WCAG 2.2 1.4.11 / 2.4.13), in the light and the dark scheme: page, card, banners and the
 * meeting room's backgrounds. The values are read from styles.css, so a new token value is checked.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const css = readFileSync(new URL('./styles.css', import.meta.url), 'utf8');

function tokens(block: string): Map<string, string> {
  return new Map([...block.matchAll(/--([a-z-]+):\s*(#[0-9a-fA-F]{6})\s*;/g)].map((m) => [m[1] ?? '', (m[2] ?? '').toLowerCase()]));
}
const light = tokens(css.slice(css.indexOf(':root {'), css.indexOf('}', css.indexOf(':root {'))));
const darkStart = css.indexOf(':root {', css.indexOf('@media (prefers-color-scheme: dark)'));
const dark = new Map([...light, ...tokens(css.slice(darkStart, css.indexOf('}', darkStart)))]);

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}
function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return ((x ?? 0) + 0.05) / ((y ?? 0) + 0.05);
}

const BACKGROUNDS = ['bg', 'surface', 'warn-bg', 'legal-bg', 'subtle-bg', 'room-bg', 'tile-bg', 'ctl-bg'];
/** The room's control bar is drawn in a fixed colour (styles.css .controls). */
const CONTROL_BAR = '#0b0c0f';

describe('focus ring', () => {
  it.each([
    ['light', light],
    ['dark', dark],
  ] as const)('is at least 3:1 against every background in the %s scheme', (_scheme, t) => {
    const focus = t.get('focus');
    expect(focus).toMatch(/^#[0-9a-f]{6}$/);
    const low = [...BACKGROUNDS.map((n) => [n, t.get(n)] as const), ['controls', CONTROL_BAR] as const]
      .map(([n, bg]) => [n, bg === undefined ? 0 : contrast(focus ?? '#000000', bg)] as const)
      .filter(([, ratio]) => ratio < 3);
    expect(low).toEqual([]);
  });
});
