// Mastodon's Preferences entity (https://docs.joinmastodon.org/entities/Preferences/).
import type { PostingDefaults, PostingVisibility } from '../../services/accounts/profile-preferences.ts';

export interface MastodonPreferences {
  'posting:default:visibility': PostingVisibility;
  'posting:default:sensitive': boolean;
  'posting:default:language': string | null;
  'posting:default:quote_policy': 'public' | 'followers' | 'nobody';
  'reading:expand:media': 'default' | 'show_all' | 'hide_all';
  'reading:expand:spoilers': boolean;
  'reading:autoplay:gifs': boolean;
}

export function serializePreferences(defaults: PostingDefaults): MastodonPreferences {
  return {
    'posting:default:visibility': defaults.privacy,
    'posting:default:sensitive': defaults.sensitive,
    'posting:default:language': defaults.language,
    'posting:default:quote_policy': 'public',
    // Reading preferences are set in the web app later; these are Mastodon's defaults.
    'reading:expand:media': 'default',
    'reading:expand:spoilers': false,
    'reading:autoplay:gifs': false,
  };
}
