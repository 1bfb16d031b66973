// SQL for `markers`: where each user stopped reading their home timeline and
// their notifications (Mastodon's read markers, shared between their apps).
import type { Queryable } from './knex.ts';

export const MARKER_TIMELINES = ['home', 'notifications'] as const;
export type MarkerTimeline = (typeof MARKER_TIMELINES)[number];

export interface Marker {
  timeline: MarkerTimeline;
  lastReadId: number;
  /** Starts at 0; goes up by one each time the position moves. */
  version: number;
  updatedAt: number;
}

type Row = Record<string, unknown>;

const fromRow = (row: Row): Marker => ({
  timeline: row.timeline as MarkerTimeline,
  lastReadId: Number(row.last_read_id),
  version: Number(row.version),
  updatedAt: Number(row.updated_at),
});

export async function findMarkers(db: Queryable, accountId: number, timelines: readonly MarkerTimeline[]): Promise<Marker[]> {
  if (timelines.length === 0) return [];
  const rows: Row[] = await db('markers').where('account_id', accountId).whereIn('timeline', timelines as MarkerTimeline[]);
  return rows.map(fromRow);
}

export async function findMarker(db: Queryable, accountId: number, timeline: MarkerTimeline): Promise<Marker | undefined> {
  return (await findMarkers(db, accountId, [timeline]))[0];
}

/** Sets a marker in one statement (concurrent apps never lose a version bump); the version moves only when the position does. */
export async function upsertMarker(db: Queryable, accountId: number, timeline: MarkerTimeline, lastReadId: number, now = Date.now()): Promise<void> {
  const moved = db.raw('markers.last_read_id <> ?', [lastReadId]);
  await db('markers')
    .insert({ account_id: accountId, timeline, last_read_id: lastReadId, version: 0, updated_at: now })
    .onConflict(['account_id', 'timeline'])
    .merge({
      last_read_id: lastReadId,
      version: db.raw('case when ? then markers.version + 1 else markers.version end', [moved]),
      updated_at: db.raw('case when ? then ? else markers.updated_at end', [moved, now]),
    });
}
