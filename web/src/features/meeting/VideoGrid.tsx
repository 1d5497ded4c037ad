import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { Layer, RosterEntry } from '../../../../protocol/signaling.js';
import { streamKey, type RemoteStreams } from './use-media.js';
import { VideoTile } from './VideoTile.js';

/**
 * Screen share, when there is one, takes the stage at full quality and everyone else
 * shrinks to a strip of thumbnails; otherwise a grid whose tile size picks the layer.
 */
export function VideoGrid(props: {
  roster: RosterEntry[];
  selfId: string;
  self: RosterEntry | undefined;
  local: MediaStream;
  localScreen: MediaStream | null;
  remote: RemoteStreams;
  speaker: string | null;
  setLayer: (publisherId: string, layer: Layer) => void;
  reconnecting?: { pub: boolean; sub: boolean };
}) {
  const { t } = useTranslation();
  const others = props.roster.filter((p) => p.participantId !== props.selfId);
  const sharer = others.find((p) => props.remote[streamKey(p.participantId, 'screen')] !== undefined);
  const cameraLayer: Layer = sharer ? 'q' : others.length <= 1 ? 'f' : others.length <= 4 ? 'h' : 'q';

  useEffect(() => {
    for (const p of others) props.setLayer(p.participantId, cameraLayer);
    // The screen is a separate stream of the same publisher; the MediaClient takes the
    // largest layer asked for that publisher, so ask for 'f' last.
    if (sharer) props.setLayer(sharer.participantId, 'f');
  });

  const tiles = others.map((p) => (
    <VideoTile
      key={p.participantId}
      entry={p}
      kind="video"
      stream={props.remote[streamKey(p.participantId, 'video')]}
      speaking={props.speaker === p.participantId}
      reconnecting={props.reconnecting?.sub === true}
    />
  ));
  const selfTile = props.self && (
    <VideoTile
      key="self"
      entry={props.self}
      kind="self"
      stream={props.local}
      speaking={props.speaker === props.selfId}
      reconnecting={props.reconnecting?.pub === true}
    />
  );

  if (sharer) {
    return (
      <div className="stage-layout">
        <div className="stage">
          <VideoTile
            entry={sharer}
            kind="screen"
            large
            stream={props.remote[streamKey(sharer.participantId, 'screen')]}
            speaking={false}
            reconnecting={props.reconnecting?.sub === true}
          />
        </div>
        <div className="filmstrip">
          {selfTile}
          {tiles}
        </div>
      </div>
    );
  }

  const count = others.length + (selfTile ? 1 : 0);
  return (
    <div className="grid" data-count={Math.min(count, 9)} style={{ ['--cols' as string]: String(columns(count)) }}>
      {tiles}
      {selfTile}
      {others.length === 0 && <p className="grid-hint">{t('meeting.emptyGrid')}</p>}
      {props.localScreen && <span className="visually-hidden">{t('meeting.sharing')}</span>}
    </div>
  );
}

function columns(n: number): number {
  if (n <= 1) return 1;
  if (n <= 4) return 2;
  if (n <= 9) return 3;
  return 4;
}
