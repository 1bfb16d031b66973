// The one error type (STYLE.md rule 7): an HTTP status, a message that is safe
// to show the client, and the internal cause for the log.
export class AppError extends Error {
  readonly status: number;
  /** Shown to the client as Mastodon's `{"error": "..."}`. */
  readonly publicMessage: string;
  /** Optional extra fields for the JSON body (e.g. Mastodon's `details`). */
  readonly details?: Record<string, unknown>;

  constructor(status: number, publicMessage: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(publicMessage, { cause: options.cause });
    this.name = 'AppError';
    this.status = status;
    this.publicMessage = publicMessage;
    this.details = options.details;
  }
}

export const badRequest = (message: string, cause?: unknown) => new AppError(400, message, { cause });
export const unauthorized = (message = 'The access token is invalid') => new AppError(401, message);
export const forbidden = (message = 'This action is outside the authorized scopes') => new AppError(403, message);
export const notFound = (message = 'Record not found') => new AppError(404, message);
export const conflict = (message: string) => new AppError(409, message);
export const payloadTooLarge = (message: string) => new AppError(413, message);
export const unprocessable = (message: string, details?: Record<string, unknown>) => new AppError(422, message, { details });
export const tooManyRequests = (message = 'Too many requests') => new AppError(429, message);

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
