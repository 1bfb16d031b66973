// The names middleware put on ctx.state, typed in one place.
import type { Account } from '../db/accounts.repo.ts';
import type { User } from '../db/users.repo.ts';

export interface AuthContext {
  tokenId: number;
  appId: number;
  scopes: string[];
  user: User | null;
  account: Account | null;
}

export interface AppState {
  requestId: string;
  /** Set by `authenticate`: null when the request carries no bearer token. */
  auth?: AuthContext | null;
  /** Set by `loadSession` for web pages: the signed-in user, if any. */
  sessionUser?: User | null;
  sessionId?: number | null;
  csrfToken?: string;
}
