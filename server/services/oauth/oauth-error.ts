// OAuth 2 errors (RFC 6749 §5.2, §4.1.2.1). An OAuthError is an AppError, so
// if one escapes the OAuth routes it still renders as Mastodon's
// `{"error": "<description>"}`; the OAuth routes render it as
// `{"error": "<code>", "error_description": "<description>"}`.
import { AppError } from '../../errors.ts';

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'server_error';

export class OAuthError extends AppError {
  readonly code: OAuthErrorCode;

  /** `status` defaults to RFC 6749's: 401 for a failed client authentication, else 400. */
  constructor(code: OAuthErrorCode, description: string, status = code === 'invalid_client' ? 401 : 400) {
    super(status, description);
    this.name = 'OAuthError';
    this.code = code;
  }
}

export function isOAuthError(error: unknown): error is OAuthError {
  return error instanceof OAuthError;
}
