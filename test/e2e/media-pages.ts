/** Pages of the media harness (test/e2e/media-harness.ts) and what they measure. */
import type { Browser, Page } from 'playwright-core';

export async function openMediaPage(
  browser: Browser,
  url: string,
  id: string,
  publish: boolean,
  video?: { width: number; height: number; frameRate: number },
  /** More page options (media-page-entry.ts StartOpts): preferCodec, refuseH264. */
  extra: { preferCodec?: 'h264' | 'vp8'; refuseH264?: boolean } = {},
): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(url);
  await page.evaluate(
    async (o) => {
      await (window as unknown as { startParley(x: unknown): Promise<void> }).startParley(o);
    },
    { id, publish, ...(video ? { video } : {}), ...extra },
  );
  return page;
}

/** Video frames this page's current subscriber connection decoded from `from` (all connections' totals are not kept). */
export function decodedFrom(page: Page, from: string): Promise<number> {
  return videoQuality(page, from).then((q) => q.frames);
}

export interface VideoQuality {
  frames: number;
  freezeCount: number;
  totalFreezesDuration: number;
  nackCount: number;
  width: number;
  height: number;
}

/** The inbound video figures (getStats) for the stream `from` publishes, on the current subscriber connection. */
export function videoQuality(page: Page, from: string): Promise<VideoQuality> {
  return page.evaluate(async (who) => {
    const p = (window as unknown as { parley: { client: { getStats(): Promise<{ subscriber?: RTCStatsReport }> } } }).parley;
    const el = document.querySelector<HTMLVideoElement>(`video[data-participant="${who}"][data-kind="video"]`);
    const track = (el?.srcObject as MediaStream | null)?.getVideoTracks()[0];
    const out = { frames: 0, freezeCount: 0, totalFreezesDuration: 0, nackCount: 0, width: 0, height: 0 };
    if (!track) return out;
    (await p.client.getStats()).subscriber?.forEach(
      (s: {
        type: string;
        kind?: string;
        trackIdentifier?: string;
        framesDecoded?: number;
        freezeCount?: number;
        totalFreezesDuration?: number;
        nackCount?: number;
        frameWidth?: number;
        frameHeight?: number;
      }) => {
        if (s.type !== 'inbound-rtp' || s.kind !== 'video' || s.trackIdentifier !== track.id) return;
        out.frames += s.framesDecoded ?? 0;
        out.freezeCount += s.freezeCount ?? 0;
        out.totalFreezesDuration += s.totalFreezesDuration ?? 0;
        out.nackCount += s.nackCount ?? 0;
        out.width = s.frameWidth ?? 0;
        out.height = s.frameHeight ?? 0;
      },
    );
    return out;
  }, from);
}

export async function untilTrue(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

/** Bytes this page's publisher connection has sent per simulcast layer (rid; '' for a single encoding). */
export function sentPerLayer(page: Page): Promise<Record<string, number>> {
  return page.evaluate(async () => {
    const p = (window as unknown as { parley: { client: { getStats(): Promise<{ publisher?: RTCStatsReport }> } } }).parley;
    const out: Record<string, number> = {};
    (await p.client.getStats()).publisher?.forEach((s: { type: string; kind?: string; rid?: string; bytesSent?: number }) => {
      if (s.type === 'outbound-rtp' && s.kind === 'video') out[s.rid ?? ''] = (out[s.rid ?? ''] ?? 0) + (s.bytesSent ?? 0);
    });
    return out;
  });
}
