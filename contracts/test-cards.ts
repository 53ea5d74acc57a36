/**
 * Sandbox test cards, as real gateways document them: the card number decides the outcome.
 *
 * | card number        | outcome                                              |
 * | ------------------ | ---------------------------------------------------- |
 * | 4242424242424242   | succeeds: `payment_intent.succeeded` webhook          |
 * | 4000000000000002   | declined: `payment_intent.payment_failed` (card_declined) |
 * | 4000000000000259   | stays processing: no webhook ever comes (tests expiry) |
 * | 4000000000009995   | declined: insufficient_funds                          |
 * | anything else      | declined: card_not_supported                          |
 */
export type CardOutcome = { kind: 'succeed' } | { kind: 'decline'; reason: string } | { kind: 'never' };

export const TEST_CARDS = {
  success: '4242424242424242',
  declined: '4000000000000002',
  noWebhook: '4000000000000259',
  insufficientFunds: '4000000000009995',
} as const;

export function outcomeFor(cardNumber: string): CardOutcome {
  switch (cardNumber) {
    case TEST_CARDS.success:
      return { kind: 'succeed' };
    case TEST_CARDS.declined:
      return { kind: 'decline', reason: 'card_declined' };
    case TEST_CARDS.noWebhook:
      return { kind: 'never' };
    case TEST_CARDS.insufficientFunds:
      return { kind: 'decline', reason: 'insufficient_funds' };
    default:
      return { kind: 'decline', reason: 'card_not_supported' };
  }
}
