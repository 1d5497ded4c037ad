/** The media plane (SFU). `meetings/` is the only caller; see docs/media.md. */
import { SfuServer } from './media-server.js';
import type { MediaConfig, MediaServerInternals } from './types.js';

export type * from './types.js';

/** Create the SFU. Call close() on shutdown. */
export function createMediaServer(config: MediaConfig): MediaServerInternals {
  return new SfuServer(config);
}
