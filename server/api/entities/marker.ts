// Mastodon's Marker (https://docs.joinmastodon.org/entities/Marker/), keyed by
// timeline as GET and POST /api/v1/markers answer. Pure.
import type { Marker, MarkerTimeline } from '../../db/markers.repo.ts';

export interface MastodonMarker {
  last_read_id: string;
  version: number;
  updated_at: string;
}

export function serializeMarkers(markers: readonly Marker[]): Partial<Record<MarkerTimeline, MastodonMarker>> {
  const body: Partial<Record<MarkerTimeline, MastodonMarker>> = {};
  for (const marker of markers) {
    body[marker.timeline] = { last_read_id: String(marker.lastReadId), version: marker.version, updated_at: new Date(marker.updatedAt).toISOString() };
  }
  return body;
}
