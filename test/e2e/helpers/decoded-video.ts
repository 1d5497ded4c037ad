/**
 * What the meeting app's page decodes, per participant: the page's own RTCPeerConnections and
 * the SFU's stream map (which participant each subscriber media line carries, from the
 * `media.offer` / `media.streams` events the app receives), observed — not replaced — by an
 * init script. The figures are the browser's getStats (inbound-rtp video framesDecoded,
 * bytesReceived) per receiver.
 */
import type { Page } from 'playwright-core';

/** Records the page's peer connections and the latest stream map; add with `context.addInitScript`. */
export const OBSERVE_MEDIA = `(() => {
  const pcs = (window.__pcs = []);
  const PC = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends PC {
    constructor(...args) { super(...args); pcs.push(this); }
  };
  window.__streams = {};
  const WS = window.WebSocket;
  window.WebSocket = class extends WS {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        try {
          const m = JSON.parse(e.data);
          if (m.type === 'event' && (m.event === 'media.offer' || m.event === 'media.streams')) window.__streams = m.data.streams;
        } catch {}
      });
    }
  };
})();`;

/** One subscriber video line: whose video it carries now (null: nobody's) and its counters so far. */
export interface LineStats {
  owner: string | null;
  frames: number;
  bytes: number;
}

/** Per media line (mid) of the page's current subscriber connection. */
export function videoLines(page: Page): Promise<Record<string, LineStats>> {
  return page.evaluate(async () => {
    const w = window as unknown as { __pcs: RTCPeerConnection[]; __streams: Record<string, { participantId: string; kind: string }> };
    // The subscriber connection answers the SFU's offers; the newest open one is current.
    const sub = w.__pcs.filter((pc) => pc.connectionState !== 'closed' && pc.remoteDescription?.type === 'offer').at(-1);
    const out: Record<string, { owner: string | null; frames: number; bytes: number }> = {};
    if (!sub) return out;
    for (const t of sub.getTransceivers()) {
      if (t.mid === null || t.receiver.track.kind !== 'video') continue;
      const s = w.__streams[t.mid];
      const line = { owner: s && s.kind === 'video' ? s.participantId : null, frames: 0, bytes: 0 };
      (await t.receiver.getStats()).forEach((r: { type: string; framesDecoded?: number; bytesReceived?: number }) => {
        if (r.type !== 'inbound-rtp') return;
        line.frames += r.framesDecoded ?? 0;
        line.bytes += r.bytesReceived ?? 0;
      });
      out[t.mid] = line;
    }
    return out;
  });
}

/**
 * Click `selector` in the page and time, in the page (no round trips through the test runner),
 * until each of `ids` has decoded two frames on the line the SFU says is theirs (counted from when
 * the line became theirs: a reused line's earlier frames were someone else's, and one more of
 * theirs may still be in flight). Resolves with the ms after the click, or null after `timeoutMs`.
 */
export async function clickUntilDecoding(page: Page, selector: string, ids: string[], timeoutMs: number): Promise<number | null> {
  return page.evaluate(
    async ({ selector, ids, timeoutMs }) => {
      const w = window as unknown as { __pcs: RTCPeerConnection[]; __streams: Record<string, { participantId: string; kind: string }> };
      const base = new Map<string, { mid: string; frames: number }>();
      const done = new Set<string>();
      const t0 = performance.now();
      document.querySelector<HTMLElement>(selector)?.click();
      while (performance.now() - t0 < timeoutMs) {
        const sub = w.__pcs.filter((pc) => pc.connectionState !== 'closed' && pc.remoteDescription?.type === 'offer').at(-1);
        for (const t of sub?.getTransceivers() ?? []) {
          const owner = t.mid === null ? undefined : w.__streams[t.mid];
          if (t.mid === null || owner?.kind !== 'video' || !ids.includes(owner.participantId) || done.has(owner.participantId)) continue;
          let frames = 0;
          (await t.receiver.getStats()).forEach((r: { type: string; framesDecoded?: number }) => {
            if (r.type === 'inbound-rtp') frames += r.framesDecoded ?? 0;
          });
          const b = base.get(owner.participantId);
          if (b?.mid !== t.mid) base.set(owner.participantId, { mid: t.mid, frames });
          else if (frames - b.frames >= 2) done.add(owner.participantId);
        }
        if (done.size === ids.length) return Math.round(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 50));
      }
      return null;
    },
    { selector, ids, timeoutMs },
  );
}

/** Frames and bytes decoded per participant over `ms` ('?' = a line that carried nobody's video, or changed hands meanwhile). */
export async function decodedOver(page: Page, ms: number): Promise<Map<string, { frames: number; bytes: number }>> {
  const a = await videoLines(page);
  await new Promise((r) => setTimeout(r, ms));
  const b = await videoLines(page);
  const out = new Map<string, { frames: number; bytes: number }>();
  for (const [mid, end] of Object.entries(b)) {
    const start = a[mid];
    const who = end.owner !== null && start?.owner === end.owner ? end.owner : '?';
    const sum = out.get(who) ?? { frames: 0, bytes: 0 };
    sum.frames += end.frames - (start?.frames ?? 0);
    sum.bytes += end.bytes - (start?.bytes ?? 0);
    out.set(who, sum);
  }
  return out;
}

/** Participants with at least one decoded frame in `d`, sorted. */
export function decoding(d: Map<string, { frames: number }>): string[] {
  return [...d]
    .filter(([, v]) => v.frames > 0)
    .map(([k]) => k)
    .sort();
}
