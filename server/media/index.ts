/** The media plane (SFU). `meetings/` is the only caller; see docs/media.md. */
import { SfuServer, type MediaServerInternals } from './media-server.js';
import type { MediaConfig } from './types.js';

export type * from './types.js';
export type { MediaServerInternals } from './media-server.js';

/** Create the SFU. Call close() on shutdown. */
export function createMediaServer(config: MediaConfig): MediaServerInternals {
  return new SfuServer(config);
}
