/**
 * The one reader of process.env. Every setting has a local default that matches the local
 * stack (scripts/stack/lib.sh reads the same port variables), so the same code runs against a
 * real cluster by environment variables alone. Production refuses to start on a default secret.
 */
import { isIP } from 'node:net';
import { z } from 'zod';

const DEV_JWT_SECRET = 'pasar-local-development-jwt-secret-change-me';
const DEV_INTERNAL_JWT_SECRET = 'pasar-local-development-internal-secret-change-me';
const DEV_ADMIN_PASSWORD = 'pasar-admin-local-only';
const DEV_WEBHOOK_SECRET = 'whsec_pasar_local_development_only';
const DEV_GATEWAY_SERVER_KEY = 'SB-Mid-server-pasar-local-development-only';
const DEV_GATEWAY_API_KEY = 'sk_test_pasar_local_development_only';
const DEV_CARRIER_API_KEY = 'carrier_test_pasar_local_development_only';
const DEV_CARRIER_WEBHOOK_SECRET = 'carrier_whsec_pasar_local_development_only';

function isAddressOrCidr(entry: string): boolean {
  const [address, prefix, extra] = entry.split('/');
  const version = isIP(address ?? '');
  if (version === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}
const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

const RawEnv = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: port(3000),
  POSTGRES_PORT: port(5432),
  REDIS_PORT: port(6379),
  KAFKA_PORT: port(9092),
  TEMPORAL_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
  ELASTICSEARCH_PORT: port(9200),
  CLICKHOUSE_HTTP_PORT: port(8123),
  MAILPIT_SMTP_PORT: port(1025),
  MAILPIT_API_PORT: port(8025),
  DATABASE_URL: z.string().url().optional(),
  REDIS_URL: z.string().url().optional(),
  KAFKA_BROKERS: z.string().optional(),
  KAFKA_CLIENT_ID: z.string().default('pasar'),
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).default(1),
  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('pasar'),
  TEMPORAL_UI_URL: z.string().url().optional(),
  ELASTICSEARCH_URL: z.string().url().optional(),
  CLICKHOUSE_URL: z.string().url().optional(),
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .default('pasar'),
  JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters').default(DEV_JWT_SECRET),
  INTERNAL_JWT_SECRET: z
    .string()
    .min(32, 'INTERNAL_JWT_SECRET must be at least 32 characters')
    .default(DEV_INTERNAL_JWT_SECRET),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(3600)
    .default(30 * 24 * 3600),
  ADMIN_EMAIL: z.string().email().default('admin@pasar.local'),
  ADMIN_PASSWORD: z.string().min(12, 'ADMIN_PASSWORD must be at least 12 characters').default(DEV_ADMIN_PASSWORD),
  LOGIN_RATE_LIMIT: z.coerce.number().int().positive().default(10),
  OTP_RATE_LIMIT: z.coerce.number().int().positive().default(5),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().positive().default(900),
  // Abuse limits (issue 7, item 11). Each counts within RATE_LIMIT_WINDOW_SECONDS.
  LOGIN_ACCOUNT_FAILURE_LIMIT: z.coerce.number().int().positive().default(10),
  LOGIN_LOCK_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  LOGIN_ADDRESS_FAILURE_LIMIT: z.coerce.number().int().positive().default(50),
  SIGNUP_RATE_LIMIT: z.coerce.number().int().positive().default(10),
  PASSWORD_RESET_ACCOUNT_LIMIT: z.coerce.number().int().positive().default(10),
  // Password-reset budgets per account in any 24 hours (issue 20, item 5), whatever the address.
  // 10 guesses a day at a 6-digit code: at most 10 / 10^6 = 0.001% a day to take over an account.
  PASSWORD_RESET_CODES_PER_DAY: z.coerce.number().int().positive().default(5),
  PASSWORD_RESET_GUESSES_PER_DAY: z.coerce.number().int().positive().default(10),
  // The same budgets for the email and phone verification codes, per signed-in account (email and
  // phone codes together): a new code starts its own 5 guesses, so without a daily cap one account
  // took 5 guesses every 15 minutes, ~480 a day.
  OTP_CODES_PER_DAY: z.coerce.number().int().positive().default(5),
  OTP_GUESSES_PER_DAY: z.coerce.number().int().positive().default(10),
  // Voucher codes typed at the cart (issue 22, item 5): wrong codes (unknown, or issued to another
  // account: answered alike) per account and per client address in any VOUCHER_CODE_WINDOW_SECONDS;
  // a right code spends nothing. 10 an hour against ~7.9e17 codes (codes.ts) finds none in a lifetime;
  // an address is allowed more, as a campus or office shares one behind NAT.
  VOUCHER_CODE_FAILURES_PER_ACCOUNT: z.coerce.number().int().positive().default(10),
  VOUCHER_CODE_FAILURES_PER_ADDRESS: z.coerce.number().int().positive().default(30),
  VOUCHER_CODE_WINDOW_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3600),
  JWT_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  MAX_ADDRESSES_PER_USER: z.coerce.number().int().min(1).max(1000).default(20),
  PAYMENT_GATEWAY_PORT: port(4010),
  PAYMENT_GATEWAY_URL: z.string().url().optional(),
  PAYMENT_GATEWAY_API_KEY: z.string().min(16).default(DEV_GATEWAY_API_KEY),
  /** Names the gateway account in Pasar's records (two sandboxes never share transactions). */
  PAYMENT_GATEWAY_NAME: z
    .string()
    .regex(/^[a-z0-9-]{1,50}$/)
    .default('simulator'),
  /** The gateway simulator's records (set by the stack); unset: it keeps them in memory. */
  PAYMENT_GATEWAY_LEDGER_FILE: z.string().min(1).optional(),
  PAYMENT_WEBHOOK_SECRET: z.string().min(16).default(DEV_WEBHOOK_SECRET),
  PAYMENT_WEBHOOK_URL: z.string().url().optional(),
  /** Signs the gateway's notifications (Midtrans: SHA-512 over order, status code, amount and this key). */
  PAYMENT_GATEWAY_SERVER_KEY: z.string().min(16).default(DEV_GATEWAY_SERVER_KEY),
  /** Until when the retired HMAC-header webhook scheme is still accepted (in-flight deliveries); 410 after. */
  PAYMENT_LEGACY_WEBHOOK_UNTIL: z.coerce.date().default(new Date('2026-12-16T00:00:00Z')),
  PAYMENT_EXPIRY_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  /** How long each method waits for its money (the card's is PAYMENT_EXPIRY_SECONDS); the saga waits as long. */
  PAYMENT_EXPIRY_BANK_TRANSFER_SECONDS: z.coerce.number().int().min(1).max(7 * 86_400).default(86_400),
  PAYMENT_EXPIRY_QRIS_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  PAYMENT_EXPIRY_EWALLET_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  PAYMENT_EXPIRY_OVO_SECONDS: z.coerce.number().int().min(1).max(3_600).default(60),
  /** Cash on delivery: the largest order total a courier collects at the door (marketplaces cap it; couriers carry the cash). */
  COD_MAX_TOTAL: z.coerce.number().int().min(1).max(100_000_000).default(3_000_000),
  /** COD is refused to a shopper who refused this many COD parcels at the door within COD_REFUSAL_WINDOW_DAYS. */
  COD_MAX_REFUSALS: z.coerce.number().int().min(1).max(100).default(2),
  COD_REFUSAL_WINDOW_DAYS: z.coerce.number().int().min(1).max(365).default(60),
  /** Couriers remit collected cash within days (JNE, J&T: 1-7): a collection older than this and not remitted is an issue. */
  COD_REMITTANCE_GRACE_SECONDS: z.coerce.number().int().min(0).max(60 * 86_400).default(7 * 86_400),
  /** The worker declares the reconciliation schedule; workers on throwaway task queues (tests) do not. */
  RECONCILE_SCHEDULE: z.enum(['on', 'off']).default('on'),
  RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
  RECONCILE_LOOKBACK_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .default(2 * 86_400),
  RECONCILE_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  CHECKOUT_MAX_UNPAID_ORDERS: z.coerce.number().int().min(1).max(100).default(3),
  CHECKOUT_MAX_UNPAID_UNITS_PER_PRODUCT: z.coerce.number().int().min(1).max(10_000).default(10),
  /** Flash-sale admission gate (services/catalog/admission.ts); `off` starts a saga for every checkout. */
  CHECKOUT_ADMISSION: z.enum(['on', 'off']).default('on'),
  ADMISSION_TICKET_TTL_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  ADMISSION_STOCK_TTL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** How long a catalog list page stays cached (every product or stock write invalidates); 0 = off. */
  PRODUCT_LIST_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  DEPENDENCY_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
  /** Outgoing mail: any SMTP server (Mailpit locally). Credentials only if the server wants them. */
  SMTP_HOST: z.string().min(1).default('127.0.0.1'),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  SMTP_SECURE: z.enum(['true', 'false']).default('false'),
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASSWORD: z.string().min(1).optional(),
  MAIL_FROM: z.string().min(3).default('Pasar <no-reply@pasar.local>'),
  /**
   * Where the sender asks whether a message already arrived (Mailpit's REST API) before resending
   * one whose send was never recorded; `off` disables the check. Production has no default.
   */
  MAILPIT_API_URL: z.union([z.string().url(), z.literal('off')]).optional(),
  /** The carrier (simulators/carrier locally): its partner API, key and webhook secret. */
  CARRIER_PORT: port(4020),
  CARRIER_URL: z.string().url().optional(),
  CARRIER_API_KEY: z.string().min(16).default(DEV_CARRIER_API_KEY),
  CARRIER_WEBHOOK_SECRET: z.string().min(16).default(DEV_CARRIER_WEBHOOK_SECRET),
  CARRIER_WEBHOOK_URL: z.string().url().optional(),
  /** Simulator only: seconds of parcel journey per real second (3600: an hour's step takes a second). */
  CARRIER_SPEED: z.coerce.number().positive().max(10_000_000).default(3600),
  /** Simulator only: its bookings and event log (set by the stack); unset: in memory. */
  CARRIER_STATE_FILE: z.string().min(1).optional(),
  CARRIER_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  /** Shipment workflow deadlines (durable timers): seconds, so tests can run them in seconds. */
  SHIPMENT_PICKUP_SLA_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(30 * 86_400)
    .default(2 * 86_400),
  SHIPMENT_STUCK_AFTER_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(30 * 86_400)
    .default(3 * 86_400),
  SHIPMENT_LOST_AFTER_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(90 * 86_400)
    .default(14 * 86_400),
  SHIPMENT_COMPLETION_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(90 * 86_400)
    .default(3 * 86_400),
  /** How the carrier sends a booking's tracking events: the live push, or signed webhooks. */
  SHIPMENT_DELIVERY: z.enum(['websocket', 'webhook']).default('websocket'),
  /** Test/demo: an address label `carrier:<scenario>` picks the simulator's scenario; never in production. */
  SHIPMENT_TEST_SCENARIOS: z.enum(['on', 'off']).optional(),
  /** Test/demo only: the carrier simulator's milliseconds per journey step for our bookings (unset: its own speed). */
  SHIPMENT_CARRIER_STEP_MS: z.coerce.number().int().min(1).max(3_600_000).optional(),
  /** Complaint deadlines (durable timers), in seconds so tests and the demo run them in seconds. */
  COMPLAINT_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(90 * 86_400)
    .default(2 * 86_400),
  COMPLAINT_SELLER_ANSWER_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(30 * 86_400)
    .default(2 * 86_400),
  COMPLAINT_RETURN_SHIP_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(30 * 86_400)
    .default(3 * 86_400),
  COMPLAINT_INSPECTION_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(30 * 86_400)
    .default(2 * 86_400),
  COMPLAINT_OFFER_RESPONSE_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(30 * 86_400)
    .default(86_400),
  COMPLAINT_ESCALATION_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(30 * 86_400)
    .default(2 * 86_400),
  // Probe ports of the processes that serve no HTTP of their own (bound on API_HOST).
  WORKER_HEALTH_PORT: port(3001),
  RELAY_HEALTH_PORT: port(3002),
  CONSUMERS_HEALTH_PORT: port(3003),
  CARRIER_LINK_HEALTH_PORT: port(3004),
  // The API's own probe port: /metrics is served only here, never on the public API_PORT.
  API_METRICS_PORT: port(3005),
  // Proxies whose X-Forwarded-For is believed (comma-separated IPs or CIDRs; none by default), so
  // per-address limits see the client behind Traefik rather than Traefik (api/middleware/rate-limit.ts).
  TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .refine((list) => list.every(isAddressOrCidr), 'TRUSTED_PROXIES: each entry an IP address or CIDR'),
  // Metrics: the Temporal SDK's own Prometheus exporter in the worker, and the stack's Prometheus.
  WORKER_TEMPORAL_METRICS_PORT: port(9464),
  PROMETHEUS_PORT: port(9090),
  PROMETHEUS_URL: z.string().url().optional(),
  /** Traces: OpenTelemetry spans of every process, exported to Zipkin (scripts/stack/zipkin.sh). */
  TRACING: z.enum(['on', 'off']).default('on'),
  /**
   * The share of new traces recorded (a request that arrives inside a sampled trace is always
   * recorded). Every one locally, so any request can be found in Zipkin; a busy shop records a
   * share: at 1 the spans cost about 120 ms of CPU per delivered order, most of it Zipkin's
   * (docs/performance.md, issue 19).
   */
  TRACE_SAMPLE_RATIO: z.coerce.number().min(0).max(1).default(1),
  ZIPKIN_PORT: port(9411),
  ZIPKIN_URL: z.string().url().optional(),
  /** Names this process in Zipkin; by default `pasar-<entry file>` (pasar-api, pasar-temporal-worker...). */
  OTEL_SERVICE_NAME: z.string().min(1).max(100).optional(),
});

export type Config = ReturnType<typeof loadConfig>;

/** Thrown when the environment is invalid; names every offending variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses an environment (process.env by default) into the app's settings. */
export function loadConfig(env: Record<string, string | undefined> = process.env) {
  const parsed = RawEnv.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid environment: ${problems}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production') {
    const defaults: [string, boolean][] = [
      ['JWT_SECRET', e.JWT_SECRET === DEV_JWT_SECRET],
      ['INTERNAL_JWT_SECRET', e.INTERNAL_JWT_SECRET === DEV_INTERNAL_JWT_SECRET],
      ['ADMIN_EMAIL', env.ADMIN_EMAIL === undefined],
      ['ADMIN_PASSWORD', e.ADMIN_PASSWORD === DEV_ADMIN_PASSWORD],
      ['PAYMENT_WEBHOOK_SECRET', e.PAYMENT_WEBHOOK_SECRET === DEV_WEBHOOK_SECRET],
      ['PAYMENT_GATEWAY_API_KEY', e.PAYMENT_GATEWAY_API_KEY === DEV_GATEWAY_API_KEY],
      ['PAYMENT_GATEWAY_SERVER_KEY', e.PAYMENT_GATEWAY_SERVER_KEY === DEV_GATEWAY_SERVER_KEY],
      ['CARRIER_API_KEY', e.CARRIER_API_KEY === DEV_CARRIER_API_KEY],
      ['CARRIER_WEBHOOK_SECRET', e.CARRIER_WEBHOOK_SECRET === DEV_CARRIER_WEBHOOK_SECRET],
    ];
    const offending = defaults.filter(([, isDefault]) => isDefault).map(([name]) => name);
    if (offending.length > 0) {
      throw new ConfigError(`${offending.join(', ')}: local defaults cannot be used in production; set real values`);
    }
  }
  return {
    env: e.NODE_ENV,
    isProduction: e.NODE_ENV === 'production',
    logLevel: e.LOG_LEVEL,
    api: { host: e.API_HOST, port: e.API_PORT, metricsPort: e.API_METRICS_PORT, trustedProxies: e.TRUSTED_PROXIES },
    postgres: { url: e.DATABASE_URL ?? `postgresql://pasar:pasar@127.0.0.1:${e.POSTGRES_PORT}/pasar` },
    redis: { url: e.REDIS_URL ?? `redis://127.0.0.1:${e.REDIS_PORT}` },
    kafka: {
      brokers: (e.KAFKA_BROKERS ?? `127.0.0.1:${e.KAFKA_PORT}`).split(',').map((b) => b.trim()),
      clientId: e.KAFKA_CLIENT_ID,
      replicationFactor: e.KAFKA_REPLICATION_FACTOR,
    },
    temporal: {
      address: e.TEMPORAL_ADDRESS ?? `127.0.0.1:${e.TEMPORAL_PORT}`,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      uiUrl: e.TEMPORAL_UI_URL ?? `http://127.0.0.1:${e.TEMPORAL_UI_PORT}`,
    },
    elasticsearch: { url: e.ELASTICSEARCH_URL ?? `http://127.0.0.1:${e.ELASTICSEARCH_PORT}` },
    clickhouse: {
      url: e.CLICKHOUSE_URL ?? `http://127.0.0.1:${e.CLICKHOUSE_HTTP_PORT}`,
      database: e.CLICKHOUSE_DATABASE,
    },
    mail: {
      smtp: {
        host: e.SMTP_HOST,
        port: e.SMTP_PORT ?? e.MAILPIT_SMTP_PORT,
        secure: e.SMTP_SECURE === 'true',
        user: e.SMTP_USER,
        password: e.SMTP_PASSWORD,
      },
      from: e.MAIL_FROM,
      /** Mailpit's REST API, or undefined: no delivery check (a crash may then resend once). */
      mailpitApiUrl:
        e.MAILPIT_API_URL === 'off'
          ? undefined
          : (e.MAILPIT_API_URL ?? (e.NODE_ENV === 'production' ? undefined : `http://127.0.0.1:${e.MAILPIT_API_PORT}`)),
    },
    auth: {
      jwtSecret: e.JWT_SECRET,
      internalJwtSecret: e.INTERNAL_JWT_SECRET,
      accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL_SECONDS,
      /** Tolerated clock difference when bounding a token's lifetime (RFC 8725: exp is required). */
      clockSkewSeconds: e.JWT_CLOCK_SKEW_SECONDS,
      admin: { email: e.ADMIN_EMAIL.toLowerCase(), password: e.ADMIN_PASSWORD },
    },
    payments: {
      gatewayPort: e.PAYMENT_GATEWAY_PORT,
      gatewayUrl: e.PAYMENT_GATEWAY_URL ?? `http://127.0.0.1:${e.PAYMENT_GATEWAY_PORT}`,
      gatewayApiKey: e.PAYMENT_GATEWAY_API_KEY,
      gatewayName: e.PAYMENT_GATEWAY_NAME,
      gatewayLedgerFile: e.PAYMENT_GATEWAY_LEDGER_FILE,
      webhookSecret: e.PAYMENT_WEBHOOK_SECRET,
      serverKey: e.PAYMENT_GATEWAY_SERVER_KEY,
      legacyWebhookUntil: e.PAYMENT_LEGACY_WEBHOOK_UNTIL,
      /** Where the gateway delivers payment results: this API's webhook route. */
      webhookUrl: e.PAYMENT_WEBHOOK_URL ?? `http://127.0.0.1:${e.API_PORT}/payments/webhook`,
      expirySeconds: e.PAYMENT_EXPIRY_SECONDS,
      /** Each method's wait (the card's is expirySeconds): services/payments/methods.ts reads them. */
      methodExpirySeconds: {
        bank_transfer: e.PAYMENT_EXPIRY_BANK_TRANSFER_SECONDS,
        qris: e.PAYMENT_EXPIRY_QRIS_SECONDS,
        ewallet: e.PAYMENT_EXPIRY_EWALLET_SECONDS,
        ovo: e.PAYMENT_EXPIRY_OVO_SECONDS,
      },
      /** Cash on delivery's limits (services/payments/cod.ts). */
      cod: {
        maxTotal: e.COD_MAX_TOTAL,
        maxRefusals: e.COD_MAX_REFUSALS,
        refusalWindowDays: e.COD_REFUSAL_WINDOW_DAYS,
        remittanceGraceSeconds: e.COD_REMITTANCE_GRACE_SECONDS,
      },
      /** Reconciliation with the gateway: how often, how far back, and how young a record it leaves alone. */
      reconcile: {
        scheduled: e.RECONCILE_SCHEDULE === 'on',
        intervalSeconds: e.RECONCILE_INTERVAL_SECONDS,
        lookbackSeconds: e.RECONCILE_LOOKBACK_SECONDS,
        graceSeconds: e.RECONCILE_GRACE_SECONDS,
      },
    },
    /** The carrier's partner API (booking, push stream) and the simulator's own settings. */
    carrier: {
      port: e.CARRIER_PORT,
      url: e.CARRIER_URL ?? `http://127.0.0.1:${e.CARRIER_PORT}`,
      apiKey: e.CARRIER_API_KEY,
      webhookSecret: e.CARRIER_WEBHOOK_SECRET,
      /** Where the carrier posts signed tracking events for webhook bookings: this API's route. */
      webhookUrl: e.CARRIER_WEBHOOK_URL ?? `http://127.0.0.1:${e.API_PORT}/shipments/webhook`,
      speed: e.CARRIER_SPEED,
      stateFile: e.CARRIER_STATE_FILE,
      timeoutMs: e.CARRIER_TIMEOUT_MS,
    },
    /** The shipment workflow's deadlines and how it asks the carrier for tracking events. */
    shipments: {
      pickupSlaSeconds: e.SHIPMENT_PICKUP_SLA_SECONDS,
      stuckAfterSeconds: e.SHIPMENT_STUCK_AFTER_SECONDS,
      lostAfterSeconds: e.SHIPMENT_LOST_AFTER_SECONDS,
      completionWindowSeconds: e.SHIPMENT_COMPLETION_WINDOW_SECONDS,
      delivery: e.SHIPMENT_DELIVERY,
      testScenarios: (e.SHIPMENT_TEST_SCENARIOS ?? (e.NODE_ENV === 'production' ? 'off' : 'on')) === 'on',
      carrierStepMs: e.NODE_ENV === 'production' ? undefined : e.SHIPMENT_CARRIER_STEP_MS,
    },
    /** Complaints: how long after delivery one may be opened, and each state's deadline. */
    complaints: {
      windowSeconds: e.COMPLAINT_WINDOW_SECONDS,
      deadlines: {
        sellerAnswerSeconds: e.COMPLAINT_SELLER_ANSWER_SECONDS,
        returnShipSeconds: e.COMPLAINT_RETURN_SHIP_SECONDS,
        inspectionSeconds: e.COMPLAINT_INSPECTION_SECONDS,
        offerResponseSeconds: e.COMPLAINT_OFFER_RESPONSE_SECONDS,
        escalationSeconds: e.COMPLAINT_ESCALATION_SECONDS,
      },
    },
    /** Anti-hoarding: what one shopper may hold in unpaid checkouts at once. */
    checkout: {
      maxUnpaidOrders: e.CHECKOUT_MAX_UNPAID_ORDERS,
      maxUnpaidUnitsPerProduct: e.CHECKOUT_MAX_UNPAID_UNITS_PER_PRODUCT,
    },
    catalog: { listCacheSeconds: e.PRODUCT_LIST_CACHE_SECONDS },
    /** Refuses a checkout whose units are all held before its saga starts; Postgres still decides. */
    admission: {
      enabled: e.CHECKOUT_ADMISSION === 'on',
      ticketTtlSeconds: e.ADMISSION_TICKET_TTL_SECONDS,
      stockTtlSeconds: e.ADMISSION_STOCK_TTL_SECONDS,
    },
    rateLimits: {
      windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
      /** Login attempts per source address and email. */
      login: e.LOGIN_RATE_LIMIT,
      otp: e.OTP_RATE_LIMIT,
      /** Failed logins of one account from any address before its password login is locked. */
      loginAccountFailures: e.LOGIN_ACCOUNT_FAILURE_LIMIT,
      loginLockSeconds: e.LOGIN_LOCK_SECONDS,
      /** Failed logins from one address across all accounts (password spraying). */
      loginAddressFailures: e.LOGIN_ADDRESS_FAILURE_LIMIT,
      /** Registrations per source address. */
      signup: e.SIGNUP_RATE_LIMIT,
      /** Reset-code requests for one email from any address. */
      resetPerAccount: e.PASSWORD_RESET_ACCOUNT_LIMIT,
      /** Reset codes sent for one account in any 24 hours (a sliding window). */
      resetCodesPerDay: e.PASSWORD_RESET_CODES_PER_DAY,
      /** Reset-code guesses for one account in any 24 hours, across every code it was sent. */
      resetGuessesPerDay: e.PASSWORD_RESET_GUESSES_PER_DAY,
      /** Verification codes (email and phone together) sent for one account in any 24 hours. */
      verificationCodesPerDay: e.OTP_CODES_PER_DAY,
      /** Verification-code guesses of one account in any 24 hours, across every code it was sent. */
      verificationGuessesPerDay: e.OTP_GUESSES_PER_DAY,
      /** Wrong voucher codes tried at the cart per account, and per client address, in any `voucherCodeWindowSeconds`. */
      voucherCodeFailuresPerAccount: e.VOUCHER_CODE_FAILURES_PER_ACCOUNT,
      voucherCodeFailuresPerAddress: e.VOUCHER_CODE_FAILURES_PER_ADDRESS,
      voucherCodeWindowSeconds: e.VOUCHER_CODE_WINDOW_SECONDS,
    },
    users: { maxAddresses: e.MAX_ADDRESSES_PER_USER },
    dependencyTimeoutMs: e.DEPENDENCY_TIMEOUT_MS,
    /** /healthz and /readyz of the worker, the relay and the Kafka consumers, for Kubernetes probes. */
    health: {
      host: e.API_HOST,
      workerPort: e.WORKER_HEALTH_PORT,
      relayPort: e.RELAY_HEALTH_PORT,
      consumersPort: e.CONSUMERS_HEALTH_PORT,
      carrierLinkPort: e.CARRIER_LINK_HEALTH_PORT,
    },
    /** Prometheus: where the worker's Temporal SDK metrics bind (on API_HOST), and the server that scrapes. */
    metrics: {
      temporalPort: e.WORKER_TEMPORAL_METRICS_PORT,
      prometheusUrl: e.PROMETHEUS_URL ?? `http://127.0.0.1:${e.PROMETHEUS_PORT}`,
    },
    /** OpenTelemetry: whether spans are recorded, where they go, and this process's service name. */
    tracing: {
      enabled: e.TRACING === 'on',
      sampleRatio: e.TRACE_SAMPLE_RATIO,
      zipkinUrl: e.ZIPKIN_URL ?? `http://127.0.0.1:${e.ZIPKIN_PORT}/api/v2/spans`,
      serviceName: e.OTEL_SERVICE_NAME,
    },
  };
}

let cached: Config | undefined;

/** The process-wide settings, parsed once from process.env on first use. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}
