import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Layer, RosterEntry } from '../../../../protocol/signaling.js';
import { streamKey, type RemoteStreams } from './use-media.js';
import { VideoTile } from './VideoTile.js';

/** Tiles on one page of the grid: the SFU sends video only for what is on screen (last-N). */
export const PAGE_SIZE = 25;

/**
 * Screen share, when there is one, takes the stage at full quality and everyone else
 * shrinks to a strip of thumbnails; otherwise a grid whose tile size picks the layer. More
 * than PAGE_SIZE people are paged; the page's participants are what the SFU is asked to send.
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
}) {
  const { t } = useTranslation();
  const everyone = props.roster.filter((p) => p.participantId !== props.selfId);
  const pages = Math.max(1, Math.ceil(everyone.length / PAGE_SIZE));
  const [page, setPage] = useState(0);
  const current = Math.min(page, pages - 1);
  const others = everyone.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE);
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

  const pager = pages > 1 && (
    <nav className="grid-pager" aria-label={t('meeting.pages')}>
      <button type="button" className="btn btn-ghost btn-small" disabled={current === 0} onClick={() => setPage(current - 1)}>
        {t('meeting.prevPage')}
      </button>
      <span aria-live="polite">{t('meeting.pageOf', { page: current + 1, pages })}</span>
      <button type="button" className="btn btn-ghost btn-small" disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
        {t('meeting.nextPage')}
      </button>
    </nav>
  );

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
        {pager}
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
      {pager}
    </div>
  );
}

function columns(n: number): number {
  if (n <= 1) return 1;
  if (n <= 4) return 2;
  if (n <= 9) return 3;
  return 4;
}
