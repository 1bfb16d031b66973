// Mastodon's Instance entities: v2 (https://docs.joinmastodon.org/entities/Instance/)
// and the older v1 (https://docs.joinmastodon.org/entities/V1_Instance/) that
// many apps still read at start-up. Both are built from one InstanceFacts.
import type { Config } from '../../../config/load.ts';
import type { MastodonAccount } from './account.ts';
import type { InstanceInfo } from '../../services/instance/instance-info.service.ts';
import type { RegistrationMode } from '../../services/accounts/registration.service.ts';

export const MASTODON_COMPAT_VERSION = '4.3.0';
export const VIEWFINDER_VERSION = '0.1.0';

// Limits we enforce elsewhere; apps use them to guard their compose screens.
export const STATUS_LIMITS = { max_characters: 2200, max_media_attachments: 20, characters_reserved_per_url: 23 };
export const POLL_LIMITS = { max_options: 4, max_characters_per_option: 50, min_expiration: 300, max_expiration: 2_629_746 };
export const ACCOUNT_LIMITS = { max_featured_tags: 10, max_pinned_statuses: 5, max_display_name_length: 30, max_note_length: 500, max_profile_fields: 4, profile_field_name_limit: 255, profile_field_value_limit: 255 };
const IMAGE_MIME_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/heic', 'image/heif', 'image/avif'];
const VIDEO_MIME_TYPES = ['video/mp4', 'video/quicktime', 'video/webm'];
const VIDEO_FRAME_RATE_LIMIT = 60;
const VIDEO_MATRIX_LIMIT = 3840 * 2160;

/** What the instance endpoints report: the service's facts, with the contact account serialized. */
export type InstanceFacts = Omit<InstanceInfo, 'contactAccount'> & {
  contactAccount: MastodonAccount | null;
  thumbnailUrl: string;
  vapidPublicKey: string;
  /** ffmpeg was found: video uploads are accepted (apps hide their video picker otherwise). */
  videoAvailable: boolean;
};

export interface MastodonRule {
  id: string;
  text: string;
  hint: string;
}

// Like Mastodon's invite-only mode, an invite instance is closed to the public.
function registrationsEnabled(mode: RegistrationMode): boolean {
  return mode === 'open' || mode === 'approval';
}

function version(): string {
  return `${MASTODON_COMPAT_VERSION} (compatible; Viewfinder ${VIEWFINDER_VERSION})`;
}

function streamingUrl(config: Pick<Config, 'publicUrl'>): string {
  return config.publicUrl.replace(/^http/, 'ws');
}

function mediaLimits(config: Pick<Config, 'uploads'>, videoAvailable: boolean) {
  return {
    supported_mime_types: videoAvailable ? [...IMAGE_MIME_TYPES, ...VIDEO_MIME_TYPES] : IMAGE_MIME_TYPES,
    description_limit: 1500,
    image_size_limit: config.uploads.maxImageBytes,
    image_matrix_limit: config.uploads.maxImagePixels,
    video_size_limit: config.uploads.maxVideoBytes,
    video_frame_rate_limit: VIDEO_FRAME_RATE_LIMIT,
    video_matrix_limit: VIDEO_MATRIX_LIMIT,
  };
}

export function serializeInstanceV1(config: Pick<Config, 'publicUrl' | 'domain' | 'uploads'>, facts: InstanceFacts) {
  return {
    uri: config.domain,
    title: facts.title,
    short_description: facts.shortDescription,
    description: facts.description,
    email: facts.email,
    version: version(),
    urls: { streaming_api: streamingUrl(config) },
    stats: { user_count: facts.userCount, status_count: facts.statusCount, domain_count: facts.domainCount },
    thumbnail: facts.thumbnailUrl,
    languages: facts.languages,
    registrations: registrationsEnabled(facts.registrationMode),
    approval_required: facts.registrationMode === 'approval',
    invites_enabled: facts.registrationMode === 'invite',
    configuration: {
      accounts: { max_featured_tags: ACCOUNT_LIMITS.max_featured_tags, max_pinned_statuses: ACCOUNT_LIMITS.max_pinned_statuses },
      statuses: STATUS_LIMITS,
      media_attachments: mediaLimits(config, facts.videoAvailable),
      polls: POLL_LIMITS,
    },
    contact_account: facts.contactAccount,
    rules: [] as MastodonRule[],
  };
}

export function serializeInstanceV2(config: Pick<Config, 'publicUrl' | 'domain' | 'uploads' | 'sourceUrl'>, facts: InstanceFacts) {
  const enabled = registrationsEnabled(facts.registrationMode);
  return {
    domain: config.domain,
    title: facts.title,
    version: version(),
    source_url: config.sourceUrl,
    description: facts.description,
    usage: { users: { active_month: facts.activeMonth } },
    thumbnail: { url: facts.thumbnailUrl },
    icon: [] as { src: string; size: string }[],
    languages: facts.languages,
    configuration: {
      urls: { streaming: streamingUrl(config) },
      vapid: { public_key: facts.vapidPublicKey },
      accounts: ACCOUNT_LIMITS,
      statuses: STATUS_LIMITS,
      media_attachments: mediaLimits(config, facts.videoAvailable),
      polls: POLL_LIMITS,
      translation: { enabled: false },
    },
    registrations: {
      enabled,
      approval_required: facts.registrationMode === 'approval',
      reason_required: facts.registrationMode === 'approval' ? false : null,
      message: enabled ? null : facts.registrationMode === 'invite' ? 'Sign-ups on this server need an invite.' : 'Sign-ups are closed on this server.',
      min_age: null,
      url: null,
    },
    api_versions: { mastodon: 2 },
    contact: { email: facts.email, account: facts.contactAccount },
    rules: [] as MastodonRule[],
  };
}
