/** Prometheus metrics at /metrics. */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

interface Sources {
  rooms: { stats(): { meetings: number; participants: number } };
  media: { stats(): { forwardedPackets: number; publishers: number; malformedPackets: number; faults: number; rebuilds: number } };
}

export function createMetrics(src: Sources) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const wsConnections = new Gauge({ name: 'parley_ws_connections', help: 'Open signaling sockets', registers: [registry] });
  new Gauge({
    name: 'parley_live_meetings',
    help: 'Meetings with someone in them',
    registers: [registry],
    collect() {
      this.set(src.rooms.stats().meetings);
    },
  });
  new Gauge({
    name: 'parley_live_participants',
    help: 'Participants in live meetings (incl. waiting and reconnecting)',
    registers: [registry],
    collect() {
      this.set(src.rooms.stats().participants);
    },
  });
  new Gauge({
    name: 'parley_media_forwarded_packets',
    help: 'RTP packets forwarded by the SFU since start',
    registers: [registry],
    collect() {
      this.set(src.media.stats().forwardedPackets);
    },
  });
  for (const [name, help, pick] of [
    ['parley_media_malformed_packets', 'RTP/RTCP from participants dropped as malformed since start', 'malformedPackets'],
    ['parley_media_faults', 'Media legs closed because a native callback threw on participant input (contained) since start', 'faults'],
    ['parley_media_leg_rebuilds', 'Subscriber legs rebuilt (failed, unanswered, refused, asked) since start', 'rebuilds'],
  ] as const) {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(src.media.stats()[pick]);
      },
    });
  }
  const enforcementActions = new Counter({
    name: 'parley_enforcement_actions_total',
    help: 'Participants refused or removed under a demand or restriction',
    labelNames: ['action', 'jurisdiction'],
    registers: [registry],
  });
  return { registry, wsConnections, enforcementActions };
}

export type Metrics = ReturnType<typeof createMetrics>;
