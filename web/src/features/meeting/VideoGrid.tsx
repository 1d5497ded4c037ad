import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Layer, RosterEntry } from '../../../../protocol/signaling.js';
import { GridBar } from './GridBar.js';
import { usePageSize, type PageSize } from './page-size.js';
import { streamKey, type RemoteStreams } from './use-media.js';
import { VideoTile } from './VideoTile.js';

/**
 * Screen share, when there is one, takes the stage at full quality and everyone else
 * shrinks to a strip of thumbnails; otherwise a grid whose tile size picks the layer. People
 * are paged (tiles per page: a setting, page-size.ts; your own tile is extra); the page's
 * participants are what the SFU is asked to send (last-N).
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
  /** The participants whose tiles are on screen now. */
  setView?: (publisherIds: string[]) => void;
  /** Whose voice the host pinned (everyone hears them): their tiles say so. */
  pinnedAudio?: readonly string[];
}) {
  const { t } = useTranslation();
  const [size, setSize] = usePageSize();
  const everyone = props.roster.filter((p) => p.participantId !== props.selfId);
  const pages = Math.max(1, Math.ceil(everyone.length / size));
  const [page, setPage] = useState(0);
  const current = Math.min(page, pages - 1);
  const others = everyone.slice(current * size, (current + 1) * size);
  const pinned = new Set(props.pinnedAudio);
  const sharer = everyone.find((p) => props.remote[streamKey(p.participantId, 'screen')] !== undefined);
  const cameraLayer: Layer = sharer ? 'q' : others.length <= 1 ? 'f' : others.length <= 4 ? 'h' : 'q';
  const viewKey = [sharer?.participantId ?? '', ...others.map((p) => p.participantId)].join(',');

  useEffect(() => {
    for (const p of others) props.setLayer(p.participantId, cameraLayer);
    // The screen is a separate stream of the same publisher; the MediaClient takes the
    // largest layer asked for that publisher, so ask for 'f' last.
    if (sharer) props.setLayer(sharer.participantId, 'f');
  });

  const { setView } = props;
  useEffect(() => {
    setView?.(viewKey.split(',').filter((id) => id !== ''));
  }, [viewKey, setView]);

  const bar = (
    <GridBar
      people={everyone.length}
      page={current}
      pages={pages}
      size={size}
      onPage={setPage}
      onSize={(n: PageSize) => {
        // The first person of this page stays on screen.
        setPage(Math.floor((current * size) / n));
        setSize(n);
      }}
    />
  );

  const tiles = others.map((p) => (
    <VideoTile
      key={p.participantId}
      entry={p}
      kind="video"
      stream={props.remote[streamKey(p.participantId, 'video')]}
      speaking={props.speaker === p.participantId}
      reconnecting={props.reconnecting?.sub === true}
      pinned={pinned.has(p.participantId)}
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
      pinned={pinned.has(props.selfId)}
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
        {bar}
      </div>
    );
  }

  const count = others.length + (selfTile ? 1 : 0);
  return (
    <div className="grid-area">
      <div className="grid" data-count={Math.min(count, 9)} style={{ ['--cols' as string]: String(columns(count)) }}>
        {tiles}
        {selfTile}
        {others.length === 0 && <p className="grid-hint">{t('meeting.emptyGrid')}</p>}
        {props.localScreen && <span className="visually-hidden">{t('meeting.sharing')}</span>}
      </div>
      {bar}
    </div>
  );
}

function columns(n: number): number {
  if (n <= 1) return 1;
  if (n <= 4) return 2;
  if (n <= 9) return 3;
  if (n <= 16) return 4;
  return n <= 25 ? 5 : 6;
}
