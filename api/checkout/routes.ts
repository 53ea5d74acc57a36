/** POST /checkout: starts (or finds) the checkout saga for the shopper's cart. */
import { guarded } from '../access';
import { AppError, ERROR_STATUS, type ErrorCode } from '../../platform/errors';
import type { Services } from '../../services';
import { TEST_CARDS } from '../../contracts/test-cards';
import { CheckoutAccepted, CheckoutBody, IdempotencyHeader } from '../orders/schemas';
import { createRouter } from '../router';
import { body, errorResponses, json } from '../schemas';

const checkout = guarded('user', {
  method: 'post',
  path: '/checkout',
  tags: ['checkout'],
  summary: 'Check out the cart: a durable saga; retry with the same Idempotency-Key to get the same order',
  request: { headers: IdempotencyHeader, body: body(CheckoutBody) },
  responses: {
    202: json(CheckoutAccepted, 'the order exists; pay it (or it is still being prepared)'),
    200: json(CheckoutAccepted, 'this key already produced a paid order'),
    ...errorResponses(400, 401, 404, 409),
  },
});

/** `showTestCards`: outside production, the reply lists the gateway sandbox's test cards. */
export function checkoutRoutes(services: Services, showTestCards: boolean) {
  const app = createRouter();

  return app.openapi(checkout, async (c) => {
    const key = c.req.valid('header')['idempotency-key'];
    const started = await services.checkout.start(c.get('user').sub, key, c.req.valid('json'));
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
    const reply = {
      order_id: started.order_id,
      order_number: started.order_number,
      status: state?.step ?? 'processing',
      amount: state?.amount,
      payment:
        state?.step === 'awaiting_payment'
          ? {
              expires_at: state.payment_expires_at,
              confirm: 'POST /payments/confirm {order_id, card_number}',
              ...(showTestCards ? { test_cards: TEST_CARDS } : {}),
            }
          : undefined,
      workflow_id: started.workflowId,
    };
    return c.json(reply, state?.step === 'paid' ? 200 : 202);
  });
}
