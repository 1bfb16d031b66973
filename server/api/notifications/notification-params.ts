// Query parameters of the notification endpoints, as Mastodon reads them:
// `types[]`, `exclude_types[]`, `grouped_types[]` (unknown types ignored),
// `account_id`; and the markers' `timeline[]` and body.
import { unprocessable } from '../../errors.ts';
import { MARKER_TIMELINES, type MarkerTimeline } from '../../db/markers.repo.ts';
import { NOTIFICATION_TYPES, type NotificationFilter, type NotificationType } from '../../db/notifications.repo.ts';
import { integerParam, listParam, parseId, stringParam } from '../accounts/params.ts';

type Query = Record<string, unknown>;

/** `name[]=a&name[]=b`, `name=a` or `name=a,b`, blanks dropped; undefined when none is given. */
function listOf(query: Query, name: string): string[] | undefined {
  const values = [...listParam(query[`${name}[]`]), ...listParam(query[name])]
    .flatMap((value) => (stringParam(value) ?? '').split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
  return values.length > 0 ? values : undefined;
}

const isType = (value: string): value is NotificationType => (NOTIFICATION_TYPES as readonly string[]).includes(value);

/** The known types among those given; an empty list when only unknown ones were (nothing matches them, as on Mastodon). */
function typesOf(query: Query, name: string): NotificationType[] | undefined {
  return listOf(query, name)?.filter(isType);
}

export function readNotificationFilter(query: Query): NotificationFilter {
  const filter: NotificationFilter = {};
  const types = typesOf(query, 'types');
  if (types !== undefined) filter.types = types;
  const excludeTypes = typesOf(query, 'exclude_types');
  if (excludeTypes?.length) filter.excludeTypes = excludeTypes;
  const accountId = parseId(stringParam(query.account_id) ?? '');
  if (accountId !== null) filter.fromAccountId = accountId;
  return filter;
}

/** `grouped_types[]`: which types may be grouped; all groupable ones when not given. */
export function readGroupedTypes(query: Query): NotificationType[] | undefined {
  return typesOf(query, 'grouped_types');
}

/** unread_count's `limit`: 100 by default, at most 1,000. */
export function readCountLimit(query: Query): number {
  return integerParam(query.limit, { min: 1, max: 1000, fallback: 100 });
}

export function readTimelines(query: Query): MarkerTimeline[] {
  const values = listOf(query, 'timeline') ?? [];
  return MARKER_TIMELINES.filter((timeline) => values.includes(timeline));
}

/** `home[last_read_id]`, `notifications[last_read_id]` (form or JSON). */
export function readMarkerPositions(body: Record<string, unknown>): Partial<Record<MarkerTimeline, number>> {
  const positions: Partial<Record<MarkerTimeline, number>> = {};
  for (const timeline of MARKER_TIMELINES) {
    const entry = body[timeline];
    if (entry === undefined || entry === null) continue;
    const text = typeof entry === 'object' ? stringParam((entry as Record<string, unknown>).last_read_id) : undefined;
    const id = parseId(text ?? '');
    if (id === null) throw unprocessable(`Validation failed: ${timeline}[last_read_id] must be an id`);
    positions[timeline] = id;
  }
  return positions;
}
