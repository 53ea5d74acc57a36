/**
 * The payment methods a shopper may choose at checkout, as Indonesian gateways offer them, and the
 * instructions the gateway issues for each (a virtual account number, a QRIS string, an e-wallet
 * redirect or an OVO push). Types and constants only: workflows, the API and the simulator share them.
 */
export const VA_BANKS = ['bca', 'bni', 'bri', 'mandiri', 'permata'] as const;
export type VaBank = (typeof VA_BANKS)[number];

export const EWALLET_PROVIDERS = ['gopay', 'dana', 'shopeepay', 'ovo'] as const;
export type EwalletProvider = (typeof EWALLET_PROVIDERS)[number];

/** `cod`: cash on delivery, collected by the courier at the door; nothing is paid before shipping. */
export const PAYMENT_METHOD_TYPES = ['card', 'bank_transfer', 'qris', 'ewallet', 'cod'] as const;
export type PaymentMethodType = (typeof PAYMENT_METHOD_TYPES)[number];

export type PaymentMethod =
  | { type: 'card' }
  | { type: 'bank_transfer'; bank: VaBank }
  | { type: 'qris' }
  /** `phone`: OVO's push goes to it (personal data: kept in Postgres, never in Temporal). */
  | { type: 'ewallet'; provider: EwalletProvider; phone?: string }
  | { type: 'cod' };

/** What a payment gateway takes: every method but cash on delivery, which the courier collects. */
export type GatewayPaymentMethod = Exclude<PaymentMethod, { type: 'cod' }>;

/** What the shopper does to pay, as the gateway issued it. */
export interface PaymentInstructions {
  /** bank_transfer: the virtual account to transfer the exact amount to. */
  bank?: VaBank;
  va_number?: string;
  /** qris: the dynamic QR's payload (EMVCo), to render as a code; qr_id names it at the gateway. */
  qr_string?: string;
  qr_id?: string;
  /** gopay, dana, shopeepay: where the shopper approves (web) and the app link (mobile). */
  redirect_url?: string;
  deeplink?: string;
  /** ovo: a push was sent to the shopper's OVO app (the number masked); approve there before it expires. */
  push_sent_to?: string;
  /** cod: the courier collects this amount (IDR) in cash when it hands the parcel over. */
  cash_on_delivery?: { amount: string };
  /** When the gateway stops accepting this payment (ISO 8601). */
  expires_at?: string;
}
