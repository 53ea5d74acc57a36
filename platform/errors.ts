/**
 * One error type for the whole API, with a closed set of codes mapped to HTTP statuses in
 * one place (api/middleware/error-handler.ts). Clients get {"error": {code, message, details}}.
 */
export const ERROR_STATUS = {
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  insufficient_stock: 409,
  /** A per-shopper ceiling (unpaid checkouts, units held...): details name the limit. */
  limit_exceeded: 409,
  /** A route retired for good (the old payment webhook scheme after its window). */
  gone: 410,
  payload_too_large: 413,
  rate_limited: 429,
  internal: 500,
  dependency_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  get status(): (typeof ERROR_STATUS)[ErrorCode] {
    return ERROR_STATUS[this.code];
  }
}
