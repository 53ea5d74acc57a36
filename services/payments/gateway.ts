/**
 * The payment gateway as Pasar sees it: an adapter interface a real provider (Midtrans, Xendit,
 * Stripe) can implement, and the implementation for the local simulator. Results never come
 * back from these calls; they arrive later as signed notifications (Midtrans model,
 * contracts/payment-notification.ts), and the status API says where a transaction stands. A 4xx from the gateway is a
 * business failure (AppError); a network error or 5xx is an infrastructure failure to retry.
 */
import type { GatewayPaymentMethod, PaymentInstructions } from '../../contracts/payment-methods';
import type { TransactionReport } from '../../contracts/payment-notification';
import { DependencyUnavailableError } from '../../platform/dependency-errors';
import { AppError } from '../../platform/errors';

export interface GatewayIntent {
  id: string;
  status: string;
  amount: string;
  currency: string;
  /** Our order id, given when the intent was created. */
  reference: string;
  /** Unix seconds. */
  created: number;
  failure_reason?: string | null;
  /** The gateway's payment type (Midtrans names: credit_card, bank_transfer, echannel, qris, gopay...). */
  payment_type?: string;
  /** What the shopper does to pay (none for a card: it is confirmed with its number). */
  instructions?: PaymentInstructions;
}

export interface PaymentGateway {
  readonly name: string;
  createIntent(input: {
    reference: string;
    amount: string;
    currency: string;
    notificationUrl: string;
    idempotencyKey: string;
    /** Card when absent. The OVO phone number travels here, from Postgres to the gateway only. */
    method?: GatewayPaymentMethod;
    /** How long a non-card payment stays payable at the gateway. */
    expirySeconds?: number;
  }): Promise<GatewayIntent>;
  confirm(intentId: string, cardNumber: string): Promise<{ status: string }>;
  cancel(intentId: string): Promise<{ status: string }>;
  /** `reference`: our refund's id, which the gateway echoes in the refund's webhook. */
  refund(
    intentId: string,
    amount: string,
    idempotencyKey: string,
    reference?: string,
  ): Promise<{ id: string; status: string }>;
  /**
   * The status API (Midtrans `GET /v2/{id}/status`): a transaction, by its transaction_id (or an
   * order's latest, by order_id), as its notifications report it; a not_found AppError when the
   * gateway knows no such transaction. An order may have several (a QR code paid twice).
   */
  status(id: string): Promise<TransactionReport>;
  /** The gateway's own record of an intent; a not_found AppError when it has none. */
  getIntent(intentId: string): Promise<GatewayIntent>;
  /** Its intents created since a time, oldest first, one page at a time. */
  listIntents(q: {
    createdGte: number;
    startingAfter?: string;
    limit: number;
  }): Promise<{ data: GatewayIntent[]; has_more: boolean }>;
}

export function createSimulatorGateway(
  baseUrl: string,
  apiKey: string,
  name = 'simulator',
  timeoutMs = 10_000,
): PaymentGateway {
  async function call<T>(method: string, path: string, body?: unknown, idempotencyKey?: string): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${apiKey}`,
          'content-type': 'application/json',
          ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new DependencyUnavailableError('payment-gateway', {
        message: `payment gateway unreachable at ${baseUrl}: ${(err as Error).message}`,
        cause: err,
      });
    }
    const payload = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    if (res.status >= 500)
      throw new DependencyUnavailableError('payment-gateway', { message: `payment gateway answered ${res.status}` });
    if (!res.ok) {
      const code = payload.error?.code ?? 'gateway_error';
      throw new AppError(
        res.status === 404 ? 'not_found' : 'conflict',
        `payment gateway refused: ${payload.error?.message ?? code}`,
        {
          gateway_code: code,
        },
      );
    }
    return payload as T;
  }

  return {
    name,
    createIntent: (i) =>
      call(
        'POST',
        '/v1/intents',
        {
          amount: i.amount,
          currency: i.currency,
          reference: i.reference,
          notification_url: i.notificationUrl,
          ...(i.method && i.method.type !== 'card'
            ? { payment_method: i.method, expiry_seconds: i.expirySeconds }
            : {}),
        },
        i.idempotencyKey,
      ),
    confirm: (id, card_number) => call('POST', `/v1/intents/${id}/confirm`, { card_number }),
    cancel: (id) => call('POST', `/v1/intents/${id}/cancel`, {}),
    refund: (id, amount, key, reference) => call('POST', '/v1/refunds', { intent_id: id, amount, reference }, key),
    status: (id) => call('GET', `/v2/${encodeURIComponent(id)}/status`),
    getIntent: (id) => call('GET', `/v1/intents/${encodeURIComponent(id)}`),
    listIntents: (q) => {
      const params = new URLSearchParams({ created_gte: String(q.createdGte), limit: String(q.limit) });
      if (q.startingAfter) params.set('starting_after', q.startingAfter);
      return call('GET', `/v1/intents?${params}`);
    },
  };
}
