/** POST /checkout: starts (or finds) the checkout saga for the shopper's cart. */
import { guarded } from '../access';
import type { Transaction } from '../../generated/prisma/client';
import type { Config } from '../../platform/config';
import { AppError, ERROR_STATUS, type ErrorCode } from '../../platform/errors';
import type { Services } from '../../services';
import { expiryFor } from '../../services/payments/methods';
import { TEST_CARDS } from '../../contracts/test-cards';
import type { PaymentInstructions } from '../../contracts/payment-methods';
import { CheckoutAccepted, CheckoutBody, IdempotencyHeader } from '../orders/schemas';
import { CLAIM_REFUSALS } from '../../services/promotions/claims';
import { clientIp } from '../middleware/rate-limit';
import { createRouter } from '../router';
import { body, errorResponses, json } from '../schemas';

const checkout = guarded('user', {
  method: 'post',
  path: '/checkout',
  tags: ['checkout'],
  summary: 'Check out the cart: a durable saga; retry with the same Idempotency-Key to get the same order',
  description:
    'payment_method picks how the order is paid: card (the default; then POST /payments/confirm), bank_transfer with a bank (a virtual account, 24 h), qris (15 min), or ewallet with a provider (gopay, dana, shopeepay by redirect, 15 min; ovo by a push to phone, 60 s), or cod (cash on delivery: the order is confirmed at once, 200 with status confirmed, and ships; the courier collects the total, payment.instructions.cash_on_delivery.amount, at the door, and only then is the payment success; no expiry; refused with 409 naming payment_method and a reason: above_cod_limit, cod_refused_before, cod_not_offered_here). The answer carries what to do (va_number, qr_string, redirect_url...) and expires_at; past it the order is cancelled and its stock released. ' +
    'voucher_codes (at most one shipping and one discount voucher, any case; when absent, the codes added to the cart with POST /cart/vouchers, which leave the cart with the order) are claimed by the saga once shipping is quoted: amount then carries discount_amount and shipping_discount, total_amount is net of both and the payment asks for it; a cancelled, declined or expired checkout gives the vouchers back. ' +
    "The codes pass the cart's guessing gate first (POST /cart/vouchers): a code that is no voucher of yours is a 409 unknown_code before any saga starts, and past the guessing budget a 429 with Retry-After. " +
    `A code the saga's claim refuses cancels the checkout, everything undone: 409 with details.reason (one of ${CLAIM_REFUSALS.join(', ')}), details.code naming the code at fault, and details.order_id.`,
  request: { headers: IdempotencyHeader, body: body(CheckoutBody) },
  responses: {
    202: json(CheckoutAccepted, 'the order exists; pay it (or it is still being prepared)'),
    200: json(CheckoutAccepted, 'a paid order (this key already produced it), or a cash-on-delivery order confirmed'),
    ...errorResponses(400, 401, 404, 409, 429),
  },
});

/** How to pay an order awaiting payment, from its transaction (the gateway's instructions) and the saga's deadline. */
export function paymentAnswer(txn: Transaction | null, sagaDeadline: string | undefined, showTestCards: boolean) {
  const method = txn?.method ?? 'card';
  const instructions = (txn?.instructions ?? undefined) as PaymentInstructions | undefined;
  return {
    method,
    expires_at: txn?.expires_at?.toISOString() ?? sagaDeadline,
    ...(instructions && Object.keys(instructions).length > 0 ? { instructions } : {}),
    ...(method === 'card'
      ? {
          confirm: 'POST /payments/confirm {order_id, card_number}',
          ...(showTestCards ? { test_cards: TEST_CARDS } : {}),
        }
      : {}),
  };
}

/** `showTestCards`: outside production, the reply lists the gateway sandbox's test cards. */
export function checkoutRoutes(
  services: Services,
  showTestCards: boolean,
  payments: Pick<Config['payments'], 'expirySeconds' | 'methodExpirySeconds'>,
) {
  const app = createRouter();

  return app.openapi(checkout, async (c) => {
    const key = c.req.valid('header')['idempotency-key'];
    const userId = c.get('user').sub;
    const request = c.req.valid('json');
    const method = request.payment_method;
    // Without voucher_codes, the codes the shopper added to the cart (POST /cart/vouchers) are claimed.
    const voucherCodes = request.voucher_codes ?? (await services.promotions.offers.codesOf(userId));
    // Voucher codes pass the cart's guessing gate first: checking out is no way around its budget.
    if (voucherCodes.length)
      await services.promotions.offers.screenCodes({ userId, address: clientIp(c), typed: voucherCodes });
    const expirySeconds = expiryFor(method, payments);
    const started = await services.checkout.start(
      userId,
      key,
      { ...request, voucher_codes: voucherCodes },
      {
        expirySeconds,
        cashOnDelivery: method.type === 'cod',
        // The method (an OVO phone number included) stays in Postgres; the saga is told only the order id.
        record: (orderId) => services.payments.methods.record(orderId, userId, method, expirySeconds),
      },
    );
    const { state } = started;
    if (state?.step === 'cancelled' && state.failure) {
      // The saga refused and undid itself: answer with its reason (no stock, empty cart, bad address...).
      const code = (state.failure.code in ERROR_STATUS ? state.failure.code : 'conflict') as ErrorCode;
      const over = started.replay ? '; this checkout is over: send a new Idempotency-Key to try again' : '';
      throw new AppError(code, `${state.failure.message}${over}`, {
        ...((state.failure.details as object) ?? {}),
        order_id: state.order_id,
      });
    }
    const awaiting = state?.step === 'awaiting_payment' || state?.step === 'confirmed';
    const reply = {
      order_id: started.order_id,
      order_number: started.order_number,
      status: state?.step ?? 'processing',
      amount: state?.amount,
      payment: awaiting
        ? paymentAnswer(await services.payments.get(started.order_id), state.payment_expires_at, showTestCards)
        : undefined,
      workflow_id: started.workflowId,
    };
    return c.json(reply, state?.step === 'paid' || state?.step === 'confirmed' ? 200 : 202);
  });
}
