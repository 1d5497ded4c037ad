/**
 * The meeting, usable without a mouse and without sight (issue 17): axe-core WCAG 2.2 A/AA on
 * the lobby and the room (chat open, participants open, a removal notice) in both colour
 * schemes, en and zh-Hant, at 1280, 390 and 320 px; focus never lost to the body (Join, panels,
 * Escape, removal, the host removing someone); one polite live region for joins, leaves,
 * removals, hands and chat, never the security code; shortcuts; and one whole meeting driven
 * by the keyboard alone, checked through accessible names.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, countNodes, describeViolations, focused, horizontalOverflow, overflowingElements, setScheme } from './helpers/a11y.js';
import { PHONE } from './helpers/browser.js';
import { roomSuite } from './helpers/room-suite.js';

const SHOTS = process.env.SHOTS_DIR ?? '/tmp/shots';
mkdirSync(SHOTS, { recursive: true });
const NARROW = { width: 320, height: 640 } as const;

const suite = roomSuite({ title: 'Vigil' });

/** axe in light and dark; sideways scroll at the current width. Problems collected, not thrown. */
async function audit(page: Page, label: string, problems: string[]): Promise<number> {
  let nodes = 0;
  for (const scheme of ['light', 'dark'] as const) {
    await setScheme(page, scheme);
    const v = await axeViolations(page);
    nodes += countNodes(v);
    if (v.length) problems.push(describeViolations(`${label} ${scheme}`, v));
    const overflow = await horizontalOverflow(page);
    if (overflow > 0) problems.push(`${label} ${scheme}: scrolls sideways by ${overflow}px: ${(await overflowingElements(page)).join(', ')}`);
    const size = page.viewportSize();
    await page.screenshot({ path: join(SHOTS, `a11y-${label}-${scheme}-${size?.width ?? 0}.png`) });
  }
  await setScheme(page, 'light');
  console.log(`[a11y] ${label}: ${nodes} violating node(s)`);
  return nodes;
}

const announcements = (p: Page) => p.getByTestId('announcer').innerText();

describe.each([
  ['en', 'Ann'],
  ['zh-Hant', '小明'],
] as const)('lobby and room in %s', (lang, name) => {
  it('0 violations in the lobby, the room with chat and participants open, and on the removal notice; no sideways scroll at 390 and 320 px', async () => {
    const problems: string[] = [];
    const { host, meetingId } = await suite.hostMeeting();
    const ctx = await suite.ctx({ locale: lang === 'en' ? 'en-US' : 'zh-TW', viewport: PHONE });
    await ctx.addInitScript((l) => localStorage.setItem('parley.lang', l), lang);
    const guest = await ctx.newPage();
    await guest.goto(`/m/${meetingId}`);
    await guest.getByTestId('lobby-name').waitFor();
    await audit(guest, `lobby-${lang}-390`, problems);
    await guest.getByTestId('lobby-name').fill(name);
    await guest.getByTestId('join-button').click();
    await guest.getByTestId('meeting-room').waitFor();
    await host.getByTestId('video-tile').first().waitFor();

    for (const size of [PHONE, NARROW]) {
      await guest.setViewportSize(size);
      await audit(guest, `room-${lang}-${size.width}`, problems);
      await guest.getByTestId('toggle-chat').click();
      await guest.getByTestId('chat-input').fill('hello');
      await guest.getByTestId('chat-input').press('Enter');
      await guest.getByTestId('chat-message').first().waitFor();
      await audit(guest, `chat-${lang}-${size.width}`, problems);
      await guest.getByTestId('toggle-roster').click();
      await guest.getByTestId('roster-list').waitFor();
      await audit(guest, `roster-${lang}-${size.width}`, problems);
      await guest.getByTestId('toggle-roster').click();
    }

    // The host's side at desktop size: participants open with the row menu and the remove dialog.
    await host.getByTestId('toggle-roster').click();
    await host.getByTestId('participant-menu').click();
    await audit(host, `host-roster-${lang}-1280`, problems);
    await host.getByTestId('host-remove').click();
    await host.getByTestId('remove-dialog').waitFor();
    await audit(host, `host-remove-dialog-${lang}-1280`, problems);
    await host.getByTestId('remove-dialog').getByTestId('confirm-ok').click();

    await guest.getByTestId('removed-notice').waitFor();
    for (const size of [PHONE, NARROW]) {
      await guest.setViewportSize(size);
      await audit(guest, `removed-${lang}-${size.width}`, problems);
    }
    expect(problems, problems.join('\n')).toEqual([]);
  }, 360_000);
});

describe('focus', () => {
  it('lands on the room title after Join; a panel takes focus and Escape closes it and returns focus to its button', async () => {
    const { host } = await suite.hostMeeting();
    expect(await focused(host)).toMatchObject({ testId: 'room-title', tag: 'h1' });
    expect(await host.title()).toBe('Vigil · Parley');

    await host.getByTestId('toggle-chat').focus();
    await host.keyboard.press('Enter');
    await expect.poll(async () => (await focused(host)).testId).toBe('chat-input');
    await host.keyboard.press('Escape');
    await host.getByTestId('chat-panel').waitFor({ state: 'detached' });
    expect((await focused(host)).testId).toBe('toggle-chat');

    await host.keyboard.press('Shift+Tab'); // toggle-roster
    expect((await focused(host)).testId).toBe('toggle-roster');
    await host.keyboard.press('Enter');
    await expect.poll(async () => (await focused(host)).id).toBe('panel-title');
    // The next Tab stays in the panel (it used to go to Leave and out of the page).
    await host.keyboard.press('Tab');
    expect(await host.evaluate(() => document.activeElement?.closest('[data-testid="roster-panel"]') !== null)).toBe(true);
    await host.keyboard.press('Escape');
    await host.getByTestId('roster-panel').waitFor({ state: 'detached' });
    expect((await focused(host)).testId).toBe('toggle-roster');

    // The close button returns focus too.
    await host.keyboard.press('Enter');
    await host.getByTestId('close-panel').click();
    expect((await focused(host)).testId).toBe('toggle-roster');
  });

  it('after the host removes someone, focus is on the participant list (host) and on the notice heading (removed person), never the body', async () => {
    const { host, meetingId } = await suite.hostMeeting();
    const guest = await suite.guestJoins(meetingId, 'Ann', { waitForRoom: true });
    await host.getByTestId('toggle-roster').click();
    await expect.poll(() => host.getByTestId('roster-item').count()).toBe(2);
    await host.getByTestId('participant-menu').click();
    await host.getByTestId('host-remove').click();
    const dialog = host.getByRole('dialog', { name: 'Remove' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await guest.getByTestId('removed-notice').waitFor();
    await expect.poll(() => host.getByTestId('roster-item').count()).toBe(1);
    expect((await focused(host)).id).toBe('roster-h');
    expect(await focused(guest)).toMatchObject({ tag: 'h1', text: 'You are no longer in this meeting' });
    await expect.poll(() => announcements(guest)).toContain('You were removed from this meeting by the host.');
    await expect.poll(() => announcements(host)).toContain('Ann was removed from the meeting');
  });

  it('names the two host dialogs apart ("End meeting for all" is not announced as "Remove")', async () => {
    const { host } = await suite.hostMeeting();
    await host.getByTestId('toggle-roster').click();
    const ids = await host.locator('dialog[aria-labelledby]').evaluateAll((ds) => ds.map((d) => d.getAttribute('aria-labelledby')));
    expect(new Set(ids).size).toBe(ids.length);
    await host.getByTestId('host-end').click();
    await host.getByRole('dialog', { name: 'End the meeting for everyone?' }).waitFor();
    await host.keyboard.press('Escape');
    expect((await focused(host)).testId).toBe('host-end');
  });
});

describe('announcements', () => {
  it('says joins, leaves, raised hands and unread chat politely; the chat button counts unread; the security code is in no live region', async () => {
    const { host, meetingId } = await suite.hostMeeting();
    const region = host.getByTestId('announcer');
    expect(await region.getAttribute('aria-live')).toBe('polite');
    const guest = await suite.guestJoins(meetingId, 'Ann', { waitForRoom: true });
    await expect.poll(() => announcements(host)).toContain('Ann joined');

    await guest.getByTestId('toggle-hand').click();
    await expect.poll(() => announcements(host)).toContain('Ann raised their hand');
    await host.getByTestId('hand-indicator').waitFor();
    expect(await host.getByRole('img', { name: 'Hand raised' }).count()).toBeGreaterThan(0);

    await guest.getByTestId('toggle-chat').click();
    await guest.getByTestId('chat-input').fill('Are we starting?');
    await guest.getByTestId('chat-input').press('Enter');
    await expect.poll(() => announcements(host)).toContain('New message from Ann');
    await host.getByRole('button', { name: 'Chat, 1 unread message' }).waitFor();

    await guest.getByTestId('leave').click();
    await expect.poll(() => announcements(host)).toContain('Ann left');

    // No live region (polite or assertive, role alert/status/log) holds a security code.
    const live = await host
      .locator('[aria-live], [role="alert"], [role="status"], [role="log"]')
      .evaluateAll((els) => els.map((e) => (e as HTMLElement).innerText).join('\n'));
    expect(live).not.toMatch(/\d{5}\s+\d{5}/);
    expect(await host.getByTestId('security-warnings').locator('[role="alert"]').count()).toBe(0);
  });
});

describe('shortcuts', () => {
  it('M, V, C, P and H act; Space held talks while muted; all of them can be switched off in the help', async () => {
    const { host } = await suite.hostMeeting();
    const mic = host.getByTestId('toggle-mic');
    await host.keyboard.press('m');
    await expect.poll(() => mic.getAttribute('aria-label')).toBe('Unmute');
    await host.keyboard.down(' ');
    await expect.poll(() => mic.getAttribute('aria-label')).toBe('Mute');
    await host.getByTestId('push-to-talk').waitFor();
    await host.keyboard.up(' ');
    await expect.poll(() => mic.getAttribute('aria-label')).toBe('Unmute');

    await host.keyboard.press('v');
    await expect.poll(() => host.getByTestId('toggle-camera').getAttribute('aria-label')).toBe('Start video');
    await host.keyboard.press('h');
    await expect.poll(() => host.getByTestId('toggle-hand').getAttribute('aria-pressed')).toBe('true');
    await host.keyboard.press('p');
    await expect.poll(async () => (await focused(host)).id).toBe('panel-title');
    await host.keyboard.press('c');
    await expect.poll(async () => (await focused(host)).testId).toBe('chat-input');
    // Typing in the chat box is typing, not shortcuts.
    await host.keyboard.type('mvh ');
    expect(await host.getByTestId('chat-input').inputValue()).toBe('mvh ');
    expect(await mic.getAttribute('aria-label')).toBe('Unmute');

    await host.getByTestId('shortcuts-help').click();
    const help = host.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    expect(await help.innerText()).toContain('Hold to talk while muted');
    await help.getByRole('checkbox', { name: 'Use keyboard shortcuts' }).uncheck();
    await host.keyboard.press('Escape');
    expect((await focused(host)).testId).toBe('shortcuts-help');
    await host.getByTestId('room-title').focus();
    await host.keyboard.press('m');
    await new Promise((r) => setTimeout(r, 300));
    expect(await mic.getAttribute('aria-label')).toBe('Unmute');
    expect(await host.evaluate(() => localStorage.getItem('parley.shortcuts'))).toBe('off');
  });
});

describe('keyboard only', () => {
  it('joins, mutes, opens chat, sends a message, raises a hand and leaves with the keyboard alone', async () => {
    const { host, meetingId } = await suite.hostMeeting();
    const page = await (await suite.ctx()).newPage();
    await page.goto(`/m/${meetingId}`);
    await page.getByRole('heading', { name: 'Join “Vigil”' }).waitFor();
    expect(await page.title()).toBe('Join “Vigil” · Parley');

    // Tab to the name field, type, Enter submits the form.
    for (let i = 0; i < 25 && (await focused(page)).testId !== 'lobby-name'; i++) await page.keyboard.press('Tab');
    expect((await focused(page)).testId).toBe('lobby-name');
    await page.keyboard.type('Keyboard Kim');
    await page.keyboard.press('Enter');
    await page.getByTestId('meeting-room').waitFor();
    await expect.poll(async () => (await focused(page)).testId).toBe('room-title');
    await page.getByRole('heading', { level: 1, name: 'Vigil' }).waitFor();

    // Tab order in the room reaches every control, by name.
    const names: string[] = [];
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab');
      const f = await focused(page);
      names.push(f.label ?? f.text);
      if (f.testId === 'leave') break;
    }
    for (const n of ['Keyboard shortcuts', 'Mute', 'Stop video', 'Participants 2', 'Chat', 'Raise hand', 'Leave']) expect(names).toContain(n);

    // Mute with the focused button (Enter), then the chat by its name.
    await page.getByRole('button', { name: 'Mute', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Unmute', exact: true }).waitFor();
    await expect.poll(() => host.getByTestId('video-tile').getByRole('img', { name: 'Muted' }).count()).toBe(1);

    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    for (let i = 0; i < 5 && (await focused(page)).testId !== 'toggle-chat'; i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await focused(page)).testId).toBe('chat-input');
    await page.getByRole('complementary', { name: 'Chat' }).waitFor();
    await page.keyboard.type('Hello from the keyboard');
    await page.keyboard.press('Enter');
    await page.getByRole('list', { name: 'Chat' }).getByText('Hello from the keyboard').waitFor();
    await expect.poll(() => announcements(host)).toContain('New message from Keyboard Kim');
    await page.keyboard.press('Escape');
    expect((await focused(page)).testId).toBe('toggle-chat');

    await page.keyboard.press('Tab');
    expect((await focused(page)).testId).toBe('toggle-hand');
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Lower hand' }).waitFor();
    await expect.poll(() => announcements(host)).toContain('Keyboard Kim raised their hand');

    await page.keyboard.press('Tab');
    expect((await focused(page)).testId).toBe('leave');
    await page.keyboard.press('Enter');
    await page.getByTestId('left-meeting').waitFor();
    expect(await focused(page)).toMatchObject({ tag: 'h1', text: 'You left the meeting' });
    await expect.poll(() => announcements(host)).toContain('Keyboard Kim left');
  });
});
