/** Building libdatachannel PeerConnections from Parley's media configuration. */
import ndc from 'node-datachannel';
import type { IceServer, PeerConnection, RtcConfig } from 'node-datachannel';
import { type FaultSink, guard } from './guard.js';
import type { MediaConfig, RemotePath } from './types.js';

export type { RemotePath } from './types.js';

/** Convert WebRTC-style ICE server URLs into libdatachannel's form. */
export function toIceServers(servers: MediaConfig['iceServers']): (string | IceServer)[] {
  const out: (string | IceServer)[] = [];
  for (const s of servers) {
    for (const url of s.urls) {
      const m = /^(stuns?|turns?):([^:?]+)(?::(\d+))?(?:\?transport=(\w+))?$/.exec(url);
      if (!m) continue;
      const [, scheme, host = '', port, transport] = m;
      if (scheme === 'stun' || scheme === 'stuns') {
        out.push(`stun:${host}:${port ?? '3478'}`);
        continue;
      }
      const relayType = scheme === 'turns' ? 'TurnTls' : transport === 'tcp' ? 'TurnTcp' : 'TurnUdp';
      out.push({
        hostname: host,
        port: Number(port ?? (scheme === 'turns' ? 5349 : 3478)),
        relayType,
        ...(s.username !== undefined ? { username: s.username } : {}),
        ...(s.credential !== undefined ? { password: s.credential } : {}),
      });
    }
  }
  return out;
}

export function createPeer(name: string, cfg: MediaConfig): PeerConnection {
  const rc: RtcConfig = { iceServers: toIceServers(cfg.iceServers), disableAutoNegotiation: true };
  if (cfg.udpMuxPort !== undefined) {
    rc.enableIceUdpMux = true;
    rc.portRangeBegin = cfg.udpMuxPort;
    rc.portRangeEnd = cfg.udpMuxPort;
  } else {
    if (cfg.portRangeBegin !== undefined) rc.portRangeBegin = cfg.portRangeBegin;
    if (cfg.portRangeEnd !== undefined) rc.portRangeEnd = cfg.portRangeEnd;
  }
  return new ndc.PeerConnection(name, rc);
}

/** Add a trickled remote candidate; malformed or stale ones are ignored like a browser does. */
export function addRemote(pc: PeerConnection, candidate: string, mid: string): void {
  if (candidate === '') return;
  try {
    pc.addRemoteCandidate(candidate, mid);
  } catch {
    /* ignored */
  }
}

/** Replace the address of a host candidate with the announced public IP (NAT'd servers). */
export function announceCandidate(raw: string, announcedIp: string | undefined): string {
  const candidate = raw.startsWith('a=') ? raw.slice(2) : raw;
  if (announcedIp === undefined || !/ typ host/.test(candidate)) return candidate;
  const parts = candidate.split(' ');
  if (parts.length > 5) parts[4] = announcedIp;
  return parts.join(' ');
}

/**
 * The same rule for candidates inside a description (the publisher's answer, the subscriber's
 * offer): with an announced address, the host's own addresses (private, LAN, IPv6) never reach
 * a client.
 */
export function announceSdp(sdp: string, announcedIp: string | undefined): string {
  if (announcedIp === undefined) return sdp;
  return sdp.replace(/^a=candidate:[^\r\n]*/gm, (line) => `a=${announceCandidate(line, announcedIp)}`);
}

/** Selected pair's remote address and candidate type, or null while not connected. */
export function remotePathOf(pc: PeerConnection): RemotePath | null {
  try {
    const r = pc.getSelectedCandidatePair()?.remote;
    if (!r?.address) return null;
    const t = r.type;
    const type = t === 'host' || t === 'srflx' || t === 'prflx' || t === 'relay' ? t : 'unknown';
    return { address: r.address, candidateType: type };
  } catch {
    return null;
  }
}

/** The ICE username fragment of a description (session or first media level), or null. */
export function remoteUfragOf(sdp: string): string | null {
  return /^a=ice-ufrag:(\S+)\s*$/m.exec(sdp)?.[1] ?? null;
}

/** Resolves with the next local description libdatachannel emits. */
export class DescriptionWaiter {
  #queue: ((sdp: string) => void)[] = [];
  constructor(pc: PeerConnection, fault: FaultSink) {
    pc.onLocalDescription(guard('onLocalDescription', fault, (sdp) => this.#queue.shift()?.(sdp)));
  }
  next(timeoutMs = 5000): Promise<string> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('local description timeout')), timeoutMs);
      this.#queue.push((sdp) => {
        clearTimeout(t);
        resolve(sdp);
      });
    });
  }
}
