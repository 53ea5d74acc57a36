/**
 * The carrier's partner API as the shipment service calls it (contracts/carrier.ts):
 * book a parcel (idempotent on `reference`, cash on delivery when the request has `cod`), cancel it
 * before pickup, read its tracking, list the COD cash it remitted (checked: money from outside is
 * input like any other; a list that breaks the contract is the carrier's fault, retried). Every call
 * is bounded by a timeout. A 4xx is a business answer (AppError, with the carrier's code in
 * `details.carrier_code`: do not retry); a network error, timeout or 5xx is a
 * `DependencyUnavailableError('carrier')` whose message names the carrier: retry it.
 */
import { z } from 'zod';
import { DependencyUnavailableError } from '../../platform/dependency-errors';
import { AppError } from '../../platform/errors';
import {
  CARRIERS,
  CARRIER_AMOUNT_PATTERN,
  type Booking,
  type BookingRequest,
  type CarrierCode,
  type CarrierEvent,
  type CodRemittance,
} from '../../contracts/carrier';

export interface CarrierClient {
  /** Books a parcel; a repeated `reference` answers the first booking (the carrier dedupes it). */
  book(request: BookingRequest, options?: { stepMs?: number }): Promise<Booking>;
  /** Cancels a parcel not yet picked up; a picked-up one is a `conflict` AppError (`already_picked_up`). */
  cancel(awb: string): Promise<Booking>;
  /** The booking and every tracking event the carrier has sent for it, in send order. */
  tracking(awb: string): Promise<Booking & { events: CarrierEvent[] }>;
  /**
   * The COD cash the carrier remitted at or after `since`, oldest first; `carrier` asks for that
   * carrier's only (its name is then in any error). A remittance never changes once listed: keep the
   * last `remitted_at` as the next `since` and skip `remittance_id`s already seen.
   */
  codRemittances(since: Date, carrier?: CarrierCode): Promise<CodRemittance[]>;
  /** Resolves when the carrier answers its health check. */
  ping(): Promise<void>;
}

export interface CarrierClientOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
}

const amount = z.string().regex(CARRIER_AMOUNT_PATTERN);
const instant = z.iso.datetime({ offset: true });
const RemittancesSchema = z.object({
  remittances: z.array(
    z.object({
      remittance_id: z.string().min(1).max(100),
      carrier: z.enum(Object.keys(CARRIERS) as [CarrierCode, ...CarrierCode[]]),
      remitted_at: instant,
      total: amount,
      items: z.array(
        z.object({
          awb: z.string().min(1).max(100),
          reference: z.string().min(1).max(100),
          amount,
          collected_at: instant,
        }),
      ),
    }),
  ),
}) satisfies z.ZodType<{ remittances: CodRemittance[] }>;

/** Names a carrier the way operators know it ("JNE"), or by its endpoint when the call names no carrier. */
const carrierName = (code: CarrierCode | undefined, baseUrl: string) =>
  code ? `${CARRIERS[code].name} (${baseUrl})` : baseUrl;

export function createCarrierClient({ baseUrl, apiKey, timeoutMs }: CarrierClientOptions): CarrierClient {
  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown, carrier?: CarrierCode): Promise<T> {
    const who = carrierName(carrier, baseUrl);
    let res: Response;
    try {
      res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const reason =
        (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (err as Error).message;
      throw new DependencyUnavailableError('carrier', {
        message: `carrier ${who} is unavailable: ${reason}`,
        cause: err,
      });
    }
    const payload = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    if (res.status >= 500)
      throw new DependencyUnavailableError('carrier', { message: `carrier ${who} answered ${res.status}` });
    if (!res.ok) {
      const code = payload.error?.code ?? `http_${res.status}`;
      // 401 means our key is wrong: a configuration fault, not the shopper's; still never worth a retry.
      throw new AppError(
        res.status === 404 ? 'not_found' : res.status === 400 ? 'validation_failed' : 'conflict',
        `carrier ${who} refused: ${payload.error?.message ?? code}`,
        { carrier_code: code },
      );
    }
    return payload as T;
  }

  return {
    book: (request, options) =>
      call(
        'POST',
        '/v1/bookings',
        options?.stepMs === undefined ? request : { ...request, step_ms: options.stepMs },
        request.carrier,
      ),
    cancel: (awb) => call('POST', `/v1/bookings/${encodeURIComponent(awb)}/cancel`, {}),
    tracking: (awb) => call('GET', `/v1/bookings/${encodeURIComponent(awb)}`),
    codRemittances: async (since, carrier) => {
      const query = new URLSearchParams({ since: since.toISOString(), ...(carrier ? { carrier } : {}) });
      const answer = await call('GET', `/v1/cod/remittances?${query}`, undefined, carrier);
      const parsed = RemittancesSchema.safeParse(answer);
      if (parsed.success) return parsed.data.remittances;
      const issue = parsed.error.issues[0];
      throw new DependencyUnavailableError('carrier', {
        message: `carrier ${carrierName(carrier, baseUrl)} sent a malformed remittance list: ${issue?.path.join('.')}: ${issue?.message}`,
      });
    },
    ping: async () => {
      await call('GET', '/healthz');
    },
  };
}
