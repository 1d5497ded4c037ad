/**
 * Accessibility checks for real-browser tests: axe-core's WCAG 2.0/2.1/2.2 A and AA rules run
 * inside the page, horizontal overflow at a width, and what the accessibility tree says.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The WCAG 2.2 A/AA rule set (axe tags); best practices are not part of the bar. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'] as const;

export interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  /** One line per offending node: its selector and axe's summary. */
  nodes: string[];
}

/**
 * axe-core over the whole document. Injected with `evaluate` (CDP), so the page's CSP
 * (script-src 'self') does not block it; <video> elements are left out only of the
 * "media has captions" rule, which is about recorded media, not a live call.
 */
export async function axeViolations(page: Page): Promise<AxeFinding[]> {
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await page.evaluate(AXE_SOURCE);
  return page.evaluate(
    async (tags) => {
      const axe = (
        window as unknown as {
          axe: {
            run(
              ctx: unknown,
              opts: unknown,
            ): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[] }>;
          };
        }
      ).axe;
      const r = await axe.run(document, {
        runOnly: { type: 'tag', values: tags },
        resultTypes: ['violations'],
        rules: { 'video-caption': { enabled: false } },
      });
      return r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => `${JSON.stringify(n.target)} ${(n.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 240)}`),
      }));
    },
    [...WCAG_TAGS],
  );
}

/** Number of offending nodes over all violations (the figure the issue counts). */
export function countNodes(v: AxeFinding[]): number {
  return v.reduce((n, x) => n + x.nodes.length, 0);
}

/** Readable report for an assertion message. */
export function describeViolations(label: string, v: AxeFinding[]): string {
  if (v.length === 0) return `${label}: no violations`;
  return `${label}: ${v.length} rule(s), ${countNodes(v)} node(s)\n${v.map((x) => `- ${x.id} (${x.impact ?? '?'}): ${x.help}\n    ${x.nodes.slice(0, 6).join('\n    ')}`).join('\n')}`;
}

/** How many CSS pixels the page scrolls sideways (0 = it fits). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth));
}

/** The innermost elements that reach past the right edge (what to fix when a page scrolls sideways). */
export function overflowingElements(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > width + 1);
    const innermost = wide.filter((el) => !wide.some((o) => o !== el && el.contains(o)));
    return innermost.slice(0, 8).map((el) => {
      const r = el.getBoundingClientRect();
      const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
      return `${el.tagName.toLowerCase()}${cls} (${Math.round(r.left)}–${Math.round(r.right)}px)`;
    });
  });
}

/** A short description of the focused element: tag, test id, accessible name hints. */
export function focused(page: Page): Promise<{ tag: string; testId: string | null; id: string; label: string | null; text: string }> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return {
      tag: el?.tagName.toLowerCase() ?? 'none',
      testId: el?.getAttribute('data-testid') ?? null,
      id: el?.id ?? '',
      label: el?.getAttribute('aria-label') ?? null,
      text: (el?.innerText ?? '').slice(0, 80),
    };
  });
}

/** Colour-scheme switch, as a system setting would (prefers-color-scheme). */
export function setScheme(page: Page, scheme: 'light' | 'dark'): Promise<void> {
  return page.emulateMedia({ colorScheme: scheme });
}
