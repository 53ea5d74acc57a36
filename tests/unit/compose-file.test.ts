/**
 * Docker cannot run on these machines, so temporal-dev.yml is checked by reading it: the same
 * services and ports as the Docker-free stack (scripts/stack/lib.sh) and the app's config.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadConfig } from '../../platform/config';
import * as appSearchAttributes from '../../workflows/search-attributes';

interface ComposeService {
  image: string;
  ports?: string[];
  command?: string[];
}

const compose = parse(readFileSync('temporal-dev.yml', 'utf8')) as { services: Record<string, ComposeService> };
const stackDefaults = Object.fromEntries(
  [...readFileSync('scripts/stack/lib.sh', 'utf8').matchAll(/^: "\$\{(\w+):=([^}]*)\}"/gm)].map((m) => [m[1], m[2]]),
);
const config = loadConfig({});

// Both TEMPORAL_MODEs register scripts/stack/temporal.sh's one list (TEMPORAL_SEARCH_ATTRIBUTES).
const stackSearchAttributes =
  /^TEMPORAL_SEARCH_ATTRIBUTES=\(([^)]*)\)/m
    .exec(readFileSync('scripts/stack/temporal.sh', 'utf8'))?.[1]
    ?.split(/\s+/) ?? [];

/** The host ports a service publishes ("127.0.0.1:5432:5432" → 5432). */
function hostPorts(service: string): number[] {
  return (compose.services[service]?.ports ?? []).map((p) => Number(p.split(':').at(-2)));
}

const portOf = (url: string) => Number(new URL(url).port);

describe('temporal-dev.yml', () => {
  // The gateway and carrier simulators run from this checkout; Prometheus scrapes the shop's
  // processes on the host's loopback, which a container on a compose network cannot reach, so its
  // config is rendered by scripts/stack/prometheus.sh only.
  const hostOnly = ['gateway', 'carrier', 'prometheus'];

  it('has exactly the components of the local stack that run in containers', () => {
    const stackScript = readFileSync('scripts/stack/stack.sh', 'utf8');
    const components = /^COMPONENTS=\(([^)]*)\)/m.exec(stackScript)?.[1]?.split(/\s+/) ?? [];
    expect(Object.keys(compose.services).sort()).toEqual(components.filter((c) => !hostOnly.includes(c)).sort());
    expect(Object.keys(compose.services).sort()).toEqual(
      ['clickhouse', 'elasticsearch', 'kafka', 'mailpit', 'postgres', 'redis', 'temporal', 'zipkin'].sort(),
    );
  });

  it.each([
    ['postgres', 'POSTGRES_PORT', portOf(config.postgres.url)],
    ['redis', 'REDIS_PORT', portOf(config.redis.url)],
    ['kafka', 'KAFKA_PORT', Number(config.kafka.brokers[0]!.split(':')[1])],
    ['elasticsearch', 'ELASTICSEARCH_PORT', portOf(config.elasticsearch.url)],
    ['clickhouse', 'CLICKHOUSE_HTTP_PORT', portOf(config.clickhouse.url)],
    ['temporal', 'TEMPORAL_PORT', Number(config.temporal.address.split(':')[1])],
    ['mailpit', 'MAILPIT_SMTP_PORT', config.mail.smtp.port],
    ['mailpit', 'MAILPIT_API_PORT', portOf(config.mail.mailpitApiUrl ?? '')],
  ])('publishes %s on the port the stack and the app use', (service, stackVar, appPort) => {
    expect(Number(stackDefaults[stackVar])).toBe(appPort);
    expect(hostPorts(service)).toContain(appPort);
  });

  it('publishes the Temporal Web UI on the stack UI port', () => {
    expect(hostPorts('temporal')).toContain(Number(stackDefaults.TEMPORAL_UI_PORT));
    expect(hostPorts('temporal')).toContain(portOf(config.temporal.uiUrl));
  });

  it('binds every port to loopback only, like the stack', () => {
    for (const s of Object.values(compose.services)) for (const p of s.ports ?? []) expect(p).toMatch(/^127\.0\.0\.1:/);
  });

  it('runs the same Kafka, Elasticsearch and Mailpit versions as the stack', () => {
    expect(compose.services.kafka?.image).toBe(`apache/kafka:${stackDefaults.KAFKA_VERSION}`);
    expect(compose.services.mailpit?.image).toBe(`axllent/mailpit:${stackDefaults.MAILPIT_VERSION}`);
    expect(compose.services.elasticsearch?.image).toMatch(new RegExp(`:${stackDefaults.ELASTICSEARCH_VERSION}$`));
  });

  it('registers the search attributes operators use to find a checkout', () => {
    const cmd = compose.services.temporal?.command ?? [];
    for (const attr of stackSearchAttributes) expect(cmd).toContain(`--search-attribute=${attr}`);
  });
});

describe('the search attributes the stack registers', () => {
  // The CLI's type names, by the SDK's.
  const cliType: Record<string, string> = {
    KEYWORD: 'Keyword',
    TEXT: 'Text',
    INT: 'Int',
    DOUBLE: 'Double',
    BOOL: 'Bool',
    DATETIME: 'Datetime',
    KEYWORD_LIST: 'KeywordList',
  };

  it('are exactly the ones the workflows upsert, with the same types', () => {
    const app = (Object.values(appSearchAttributes) as { name?: unknown; type?: unknown }[])
      .filter((k) => typeof k?.name === 'string' && typeof k?.type === 'string')
      .map((k) => `${k.name as string}=${cliType[k.type as string]}`);
    expect(app.length).toBeGreaterThan(0);
    expect([...stackSearchAttributes].sort()).toEqual(app.sort());
  });
});
