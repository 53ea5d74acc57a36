import { ConfigError, loadConfig } from '../../platform/config';

describe('loadConfig', () => {
  it('derives every URL from the local-stack defaults', () => {
    const c = loadConfig({});
    expect(c.postgres.url).toBe('postgresql://pasar:pasar@127.0.0.1:5432/pasar');
    expect(c.redis.url).toBe('redis://127.0.0.1:6379');
    expect(c.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(c.temporal.address).toBe('127.0.0.1:7233');
    expect(c.temporal.uiUrl).toBe('http://127.0.0.1:8233');
    expect(c.elasticsearch.url).toBe('http://127.0.0.1:9200');
    expect(c.clickhouse.url).toBe('http://127.0.0.1:8123');
    expect(c.api.port).toBe(3000);
  });

  it('follows an overridden port, and a full URL wins over the port', () => {
    const c = loadConfig({ REDIS_PORT: '6380', POSTGRES_PORT: '5433', ELASTICSEARCH_URL: 'http://es.internal:9200' });
    expect(c.redis.url).toBe('redis://127.0.0.1:6380');
    expect(c.postgres.url).toContain(':5433/');
    expect(c.elasticsearch.url).toBe('http://es.internal:9200');
  });

  it('records every trace by default, a share when asked, and refuses a ratio outside 0..1', () => {
    expect(loadConfig({}).tracing.sampleRatio).toBe(1);
    expect(loadConfig({ TRACE_SAMPLE_RATIO: '0.1' }).tracing.sampleRatio).toBe(0.1);
    expect(() => loadConfig({ TRACE_SAMPLE_RATIO: '1.5' })).toThrow(/TRACE_SAMPLE_RATIO/);
    expect(() => loadConfig({ TRACE_SAMPLE_RATIO: '-0.1' })).toThrow(/TRACE_SAMPLE_RATIO/);
  });

  it('names the variable that is invalid', () => {
    expect(() => loadConfig({ API_PORT: 'eighty' })).toThrow(/API_PORT/);
    expect(() => loadConfig({ KAFKA_REPLICATION_FACTOR: '0' })).toThrow(ConfigError);
  });

  it('refuses to start in production with a default secret or admin', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /INTERNAL_JWT_SECRET, ADMIN_EMAIL, ADMIN_PASSWORD, PAYMENT_WEBHOOK_SECRET, PAYMENT_GATEWAY_API_KEY, PAYMENT_GATEWAY_SERVER_KEY/,
    );
    const c = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: 'a-real-secret-from-the-vault-0123456789',
      INTERNAL_JWT_SECRET: 'another-real-secret-from-the-vault-0123',
      ADMIN_EMAIL: 'ops@pasar.id',
      ADMIN_PASSWORD: 'a-long-admin-password',
      PAYMENT_WEBHOOK_SECRET: 'whsec_from_the_gateway_dashboard',
      PAYMENT_GATEWAY_API_KEY: 'sk_live_from_the_gateway_dashboard',
      PAYMENT_GATEWAY_SERVER_KEY: 'Mid-server-from-the-gateway-dashboard',
      CARRIER_API_KEY: 'carrier_live_key_from_the_partner_portal',
      CARRIER_WEBHOOK_SECRET: 'carrier_whsec_from_the_partner_portal',
    });
    expect(c.isProduction).toBe(true);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/CARRIER_API_KEY, CARRIER_WEBHOOK_SECRET/);
  });

  it('points the carrier at the local simulator and its webhooks at this API', () => {
    const c = loadConfig({ API_PORT: '3100' });
    expect(c.carrier.url).toBe('http://127.0.0.1:4020');
    expect(c.carrier.webhookUrl).toBe('http://127.0.0.1:3100/shipments/webhook');
    expect(c.health.carrierLinkPort).toBe(3004);
    expect(() => loadConfig({ CARRIER_SPEED: '0' })).toThrow(/CARRIER_SPEED/);
  });

  it('refuses a short secret', () => {
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
  });
});
