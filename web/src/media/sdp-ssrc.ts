/** SDP helper for the publisher offer: declare simulcast layer SSRCs the SFU routes by. */

export interface LayerSsrc {
  rid: string;
  ssrc: number;
  rtx: number | null;
}

const ORDER = ['q', 'h', 'f'];

/**
 * Insert `a=ssrc-group:SIM`, `a=ssrc-group:FID` and `a=ssrc` lines into the media section
 * with this mid. The SIM group lists layers in q, h, f order, which the SFU maps to rids.
 */
export function addSsrcLines(sdp: string, mid: string | null, layers: LayerSsrc[]): string {
  if (mid === null || layers.length === 0) return sdp;
  const sorted = [...layers].sort((a, b) => ORDER.indexOf(a.rid) - ORDER.indexOf(b.rid));
  const extra: string[] = [];
  for (const l of sorted) if (l.rtx !== null) extra.push(`a=ssrc-group:FID ${l.ssrc} ${l.rtx}`);
  if (sorted.length > 1) extra.push(`a=ssrc-group:SIM ${sorted.map((l) => l.ssrc).join(' ')}`);
  for (const l of sorted) {
    extra.push(`a=ssrc:${l.ssrc} cname:parley-${l.rid}`);
    if (l.rtx !== null) extra.push(`a=ssrc:${l.rtx} cname:parley-${l.rid}`);
  }
  const lines = sdp.split('\r\n');
  const at = lines.findIndex((l) => l === `a=mid:${mid}`);
  if (at < 0) return sdp;
  lines.splice(at + 1, 0, ...extra);
  return lines.join('\r\n');
}
