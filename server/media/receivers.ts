/**
 * Read-only view of the forwarding tables: which participants are being sent a publisher's
 * media right now. Used for the `media.receivers` report that lets clients check every
 * receiver against the roster chain they verified (docs/security.md).
 */

/** The structural part of a media participant this view reads. */
export interface ForwardingView {
  readonly id: string;
  readonly subscriber: { readonly slots: readonly { readonly source: { readonly publisherId: string } | null }[] };
}

/** Ids of the participants with at least one slot fed by `publisherId`'s media, sorted. */
export function receiversOf(participants: Iterable<ForwardingView>, publisherId: string): string[] {
  const out: string[] = [];
  for (const p of participants) {
    if (p.id === publisherId) continue;
    if (p.subscriber.slots.some((s) => s.source !== null && s.source.publisherId === publisherId)) out.push(p.id);
  }
  return out.sort();
}
