/**
 * One participant of the SFU: a publisher leg and a subscriber leg (each rebuildable), the hooks
 * to reach them (guarded: they run inside native callbacks), and what last-N needs to know.
 */
import { type MediaLogger, reasonOf } from './guard.js';
import { Publisher } from './publisher.js';
import { type RebuildReason, Subscriber } from './subscriber.js';
import type { MediaConfig, MediaParticipantHooks, RemotePath } from './types.js';

/** RFC 6464 level (dBov, lower is louder) at or under which a packet counts as speech. */
const SPEAKING_LEVEL = 50;

/** Hooks run inside native callbacks, where an exception would take the process down. */
function safeHooks(h: MediaParticipantHooks, log: MediaLogger): MediaParticipantHooks {
  const guard = <A extends unknown[]>(fn: ((...a: A) => void) | undefined) =>
    fn === undefined
      ? undefined
      : (...a: A): void => {
          try {
            fn.apply(h, a);
          } catch (err) {
            log.error({ err: reasonOf(err) }, 'media hook failed');
          }
        };
  // guard() calls each hook with `this` = h, so taking the methods off the object is safe.
  /* eslint-disable @typescript-eslint/unbound-method */
  const out: MediaParticipantHooks = { signal: guard(h.signal) as MediaParticipantHooks['signal'] };
  const path = guard(h.onRemotePath);
  const level = guard(h.onAudioLevel);
  /* eslint-enable @typescript-eslint/unbound-method */
  if (path) out.onRemotePath = path;
  if (level) out.onAudioLevel = level;
  return out;
}

/** What a participant's legs report to the SFU that owns them. */
export interface ParticipantOwner {
  fault(p: Participant, leg: 'pub' | 'sub', where: string, err: unknown): void;
  rebuild(p: Participant, reason: RebuildReason): void;
}

/** One participant's two media legs and what the SFU needs to choose what they are sent. */
export class Participant {
  publisher: Publisher;
  subscriber: Subscriber;
  #path: string | null = null;
  readonly hooks: MediaParticipantHooks;
  readonly faults: number[] = [];
  readonly rebuilds: number[] = [];
  #generation = 0;
  /** Last time their audio said they were speaking (last-N). */
  loudAt = 0;
  /** Publisher ids whose tiles this participant's client shows; null until it says. */
  view: string[] | null = null;
  /**
   * Whether the client asked for media (`media.subscribe`). Until then last-N selects nothing for
   * them: no subscriber connection, slots, offers or keyframe requests (a signaling-only client
   * never answers one). Held here, not on the leg, so every rebuilt leg is offered again at once.
   */
  #wantsMedia = false;
  constructor(
    readonly meetingId: string,
    readonly id: string,
    /** Join order on this node (last-N fills with the earliest when the client said nothing). */
    readonly order: number,
    hooks: MediaParticipantHooks,
    private readonly cfg: MediaConfig,
    private readonly owner: ParticipantOwner,
    log: MediaLogger,
  ) {
    const safe = safeHooks(hooks, log);
    this.hooks = {
      ...safe,
      onAudioLevel: (l: number) => {
        if (l <= SPEAKING_LEVEL) this.loudAt = Date.now();
        safe.onAudioLevel?.(l);
      },
    };
    this.publisher = this.newPublisher();
    this.subscriber = this.newSubscriber();
  }
  get wantsMedia(): boolean {
    return this.#wantsMedia;
  }
  /** The client asked for media, optionally with its first view (as `media.view`). */
  subscribe(view?: readonly string[]): void {
    this.#wantsMedia = true;
    if (view) this.setView(view);
  }
  setView(publisherIds: readonly string[]): void {
    this.view = publisherIds.slice(0, 64);
  }
  newPublisher(): Publisher {
    return new Publisher(
      this.id,
      this.cfg,
      this.hooks,
      () => this.checkPath(),
      (where, err) => this.owner.fault(this, 'pub', where, err),
    );
  }
  newSubscriber(): Subscriber {
    return new Subscriber(this.id, this.cfg, this.hooks, () => this.checkPath(), {
      generation: ++this.#generation,
      fault: (where, err) => this.owner.fault(this, 'sub', where, err),
      rebuild: (reason) => this.owner.rebuild(this, reason),
    });
  }
  /** Report the selected pair's remote end when it changes. */
  checkPath(): void {
    const a = this.publisher.remotePath ?? this.subscriber.remotePath;
    if (a === null) return;
    const key = `${a.candidateType} ${a.address}`;
    if (key === this.#path) return;
    this.#path = key;
    this.hooks.onRemotePath?.(a);
  }
  paths(): RemotePath[] {
    const out = new Map<string, RemotePath>();
    for (const a of [this.publisher.remotePath, this.subscriber.remotePath]) if (a) out.set(`${a.candidateType} ${a.address}`, a);
    return [...out.values()];
  }
}
