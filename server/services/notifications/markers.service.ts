// Read markers (GET/POST /api/v1/markers): where the user stopped reading their
// home timeline and their notifications, shared between their apps. The
// notifications marker is what unread_count counts from.
import type { Db, Queryable } from '../../db/knex.ts';
import { findMarkers, upsertMarker, type Marker, type MarkerTimeline } from '../../db/markers.repo.ts';

export async function getMarkers(db: Queryable, accountId: number, timelines: readonly MarkerTimeline[]): Promise<Marker[]> {
  return findMarkers(db, accountId, timelines);
}

/** Moves the given markers (both in one transaction) and returns them as they now are. */
export async function setMarkers(db: Db, accountId: number, positions: Partial<Record<MarkerTimeline, number>>): Promise<Marker[]> {
  const timelines = Object.keys(positions) as MarkerTimeline[];
  if (timelines.length === 0) return [];
  return db.transaction(async (trx) => {
    const now = Date.now();
    for (const timeline of timelines) await upsertMarker(trx, accountId, timeline, positions[timeline]!, now);
    return findMarkers(trx, accountId, timelines);
  });
}
