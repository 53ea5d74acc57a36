/**
 * What the Kubernetes API schemas cannot say about k8s/ (tests/integration/k8s-manifests-schema
 * checks those): every process runs compiled JavaScript that the build produces, is probed,
 * sized, scraped and locked down; settings are ones platform/config.ts knows and that start a
 * production process; Traefik's objects (custom resources, which no Kubernetes schema covers)
 * have the shape of Traefik's CRDs and route only what the API should expose; the autoscalers,
 * disruption budgets and the migration Job fit the Deployments they are about.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { loadConfig } from '../../platform/config';
import { PROCESS_DEPENDENCIES, type DependencyName } from '../../platform/health';
import { parseEnvFile, renderKustomization, type Manifest } from '../../scripts/k8s/render';
import { MIGRATED_STORES } from '../../scripts/lib/migrations';
import { dependenciesOf, REGISTERED_CONSUMERS } from '../../workers/consumer-registry';

const docs = renderKustomization('k8s', { exampleSecrets: true });
const deployments = docs.filter((d) => d.kind === 'Deployment') as (Manifest & { spec: any })[];
const containerOf = (d: { spec: any }) => d.spec.template.spec.containers[0];
const find = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name) as any;
const configMap = find('ConfigMap', 'pasar-config').data as Record<string, string>;

describe('k8s manifests', () => {
  it('pin every image to a version, never :latest', () => {
    expect(deployments.length).toBeGreaterThan(0);
    for (const d of deployments) expect(containerOf(d).image).toMatch(/:\d+\.\d+\.\d+$/);
  });

  it('run compiled JavaScript of an entry point that exists in workers/, never tsx', () => {
    for (const d of deployments) {
      const command: string[] = containerOf(d).command;
      expect([d.metadata.name, command.slice(0, 2)]).toEqual([d.metadata.name, ['node', '--enable-source-maps']]);
      const entry = /^dist\/workers\/([a-z-]+)\.js$/.exec(command[2]!)?.[1];
      expect([d.metadata.name, entry && existsSync(`workers/${entry}.ts`)]).toEqual([d.metadata.name, true]);
      expect(command.join(' ')).not.toContain('tsx');
    }
  });

  it('run the API, the worker, the relay, the carrier link and each registered consumer', () => {
    const names = deployments.map((d) => d.metadata.name).sort();
    expect(names).toEqual(
      [
        'pasar-api',
        'pasar-worker',
        'pasar-outbox-relay',
        'pasar-carrier-link',
        ...REGISTERED_CONSUMERS.map((c) => `pasar-consumer-${c.name}`),
      ].sort(),
    );
    const consumers = deployments
      .filter((d) => containerOf(d).command[2] === 'dist/workers/consumers.js')
      .map((d) => [d.metadata.name, containerOf(d).args]);
    expect(consumers.sort()).toEqual(REGISTERED_CONSUMERS.map((c) => [`pasar-consumer-${c.name}`, [c.name]]).sort());
  });

  it('probe every process (liveness /healthz, readiness /readyz) on the port its config names', () => {
    const healthPort: Record<string, string | undefined> = {
      'pasar-api': configMap.API_METRICS_PORT,
      'pasar-worker': configMap.WORKER_HEALTH_PORT,
      'pasar-outbox-relay': configMap.RELAY_HEALTH_PORT,
      'pasar-carrier-link': configMap.CARRIER_LINK_HEALTH_PORT,
      ...Object.fromEntries(
        REGISTERED_CONSUMERS.map((c) => [`pasar-consumer-${c.name}`, configMap.CONSUMERS_HEALTH_PORT]),
      ),
    };
    for (const d of deployments) {
      const c = containerOf(d);
      const name = d.metadata.name;
      expect([name, c.livenessProbe?.httpGet?.path, c.readinessProbe?.httpGet?.path]).toEqual([
        name,
        '/healthz',
        '/readyz',
      ]);
      const named = (c.ports ?? []).find((p: { name: string }) => p.name === c.readinessProbe.httpGet.port);
      expect([name, String(named?.containerPort)]).toEqual([name, healthPort[name]]);
      expect(c.livenessProbe.httpGet.port).toBe(c.readinessProbe.httpGet.port);
    }
  });

  it('give every process resource requests and a memory limit, and Prometheus scrape annotations on its probe port', () => {
    for (const d of deployments) {
      const c = containerOf(d);
      const name = d.metadata.name;
      expect([name, c.resources?.requests?.cpu, c.resources?.requests?.memory, c.resources?.limits?.memory]).toEqual([
        name,
        expect.any(String),
        expect.stringMatching(/^\d+Mi$/),
        expect.stringMatching(/^\d+(Mi|Gi)$/),
      ]);
      const port = c.ports.find((p: { name: string }) => p.name === c.readinessProbe.httpGet.port).containerPort;
      expect([name, d.spec.template.metadata.annotations]).toEqual([
        name,
        { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port), 'prometheus.io/path': '/metrics' },
      ]);
    }
  });

  it('run every container as a non-root user, read-only, without privileges or a service-account token', () => {
    for (const d of deployments) {
      const name = d.metadata.name;
      expect([name, containerOf(d).securityContext]).toEqual([
        name,
        {
          runAsNonRoot: true,
          runAsUser: 1000,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        },
      ]);
      expect([name, d.spec.template.spec.automountServiceAccountToken]).toEqual([name, false]);
    }
  });

  it('take settings from the ConfigMap and secrets from the generated Secret, both in every process', () => {
    for (const d of deployments) {
      expect([d.metadata.name, containerOf(d).envFrom]).toEqual([
        d.metadata.name,
        [{ configMapRef: { name: 'pasar-config' } }, { secretRef: { name: 'pasar-secrets' } }],
      ]);
    }
    expect(find('Secret', 'pasar-secrets')).toBeDefined();
  });

  it('name only settings platform/config.ts reads, and keep secrets out of the ConfigMap', () => {
    const source = readFileSync('platform/config.ts', 'utf8');
    const secretKeys = parseEnvFile(readFileSync('k8s/secrets.env.example', 'utf8')).map(([k]) => k);
    for (const key of [...Object.keys(configMap), ...secretKeys]) {
      expect([key, new RegExp(`^\\s+${key}:\\s`, 'm').test(source)]).toEqual([key, true]);
    }
    for (const key of Object.keys(configMap)) expect(key).not.toMatch(/SECRET|PASSWORD|API_KEY|DATABASE_URL|REDIS_URL/);
    expect(readFileSync('k8s/.gitignore', 'utf8')).toMatch(/^secrets\.env$/m);
    expect(readFileSync('.dockerignore', 'utf8')).toMatch(/^k8s\/secrets\.env$/m);
  });

  it('start a production process from the ConfigMap plus real secrets, and point at cluster services, not loopback', () => {
    const secrets = Object.fromEntries(
      parseEnvFile(readFileSync('k8s/secrets.env.example', 'utf8')).map(([k]) => [
        k,
        k.endsWith('_URL')
          ? `${k === 'REDIS_URL' ? 'redis' : 'postgresql'}://u:p@db.cluster:5432/pasar`
          : `${k}-${'x'.repeat(40)}`,
      ]),
    );
    const config = loadConfig({ ...configMap, ...secrets, ADMIN_EMAIL: 'ops@pasar.id' });
    expect(config.isProduction).toBe(true);
    const addresses = [
      config.temporal.address,
      config.kafka.brokers.join(','),
      config.elasticsearch.url,
      config.clickhouse.url,
      config.payments.gatewayUrl,
      config.payments.webhookUrl,
    ];
    for (const a of addresses) expect(a).not.toMatch(/127\.0\.0\.1|localhost/);
    expect(config.kafka.replicationFactor).toBe(3);
    expect(config.temporal.namespace).not.toBe('default');
  });
});

describe('scaling on a cluster: autoscalers, disruption budgets, the migration Job', () => {
  const of = (kind: string) => docs.filter((d) => d.kind === kind) as (Manifest & { spec: any })[];
  const hpas = of('HorizontalPodAutoscaler');
  const pdbs = of('PodDisruptionBudget');
  const job = find('Job', 'pasar-migrate');
  const deployment = (name: string) => deployments.find((d) => d.metadata.name === name);
  const podLabels = (d: { spec: any }) => d.spec.template.metadata.labels as Record<string, string>;
  const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
    Object.entries(selector).every(([k, v]) => labels[k] === v);
  const cpuMillis = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000);
  const HARDENED = {
    runAsNonRoot: true,
    runAsUser: 1000,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  };
  const ENV_FROM = [{ configMapRef: { name: 'pasar-config' } }, { secretRef: { name: 'pasar-secrets' } }];
  const MIGRATE = ['node', '--enable-source-maps', 'dist/scripts/migrate.js'];

  it('autoscale the API, the worker and every consumer but notifications (one sender), and nothing else', () => {
    expect(hpas.map((h) => h.spec.scaleTargetRef.name).sort()).toEqual(
      [
        'pasar-api',
        'pasar-worker',
        ...REGISTERED_CONSUMERS.filter((c) => c.name !== 'notifications').map((c) => `pasar-consumer-${c.name}`),
      ].sort(),
    );
    for (const h of hpas) expect(h.metadata.name).toBe(h.spec.scaleTargetRef.name);
  });

  it('every HPA targets an existing Deployment whose containers request CPU, on CPU utilisation, with min <= max', () => {
    for (const h of hpas) {
      const name = h.metadata.name;
      const { apiVersion, kind } = h.spec.scaleTargetRef;
      const target = deployment(h.spec.scaleTargetRef.name);
      expect([name, apiVersion, kind, target?.kind]).toEqual([name, 'apps/v1', 'Deployment', 'Deployment']);
      expect([name, h.spec.minReplicas >= 2, h.spec.minReplicas <= h.spec.maxReplicas]).toEqual([name, true, true]);
      // Utilisation is usage over request, per container: a container without one makes it unknown.
      for (const c of target!.spec.template.spec.containers) {
        expect([name, c.name, cpuMillis(c.resources?.requests?.cpu ?? '0') > 0]).toEqual([name, c.name, true]);
        // A limit at the request would cap utilisation at 100 % and throttle the burst the HPA answers.
        expect([name, cpuMillis(c.resources.limits.cpu) > cpuMillis(c.resources.requests.cpu)]).toEqual([name, true]);
      }
      expect([name, h.spec.metrics]).toEqual([
        name,
        [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      ]);
      // Scale down slowly, after load has stayed low: a flap costs rebalances and cold caches.
      expect([name, h.spec.behavior.scaleDown.stabilizationWindowSeconds >= 300]).toEqual([name, true]);
      for (const p of h.spec.behavior.scaleDown.policies) expect([name, p.type, p.value]).toEqual([name, 'Pods', 1]);
    }
  });

  it('an autoscaled Deployment names no replicas (the HPA owns them); the others keep theirs', () => {
    const scaled = new Set(hpas.map((h) => h.spec.scaleTargetRef.name));
    for (const d of deployments) {
      const name = d.metadata.name;
      expect([name, d.spec.replicas === undefined]).toEqual([name, scaled.has(name)]);
    }
  });

  it('a consumer scales to no more members than the smallest partition count of the topics it reads', () => {
    // The factories only keep their stores; nothing is called while a spec is built.
    const stub: any = new Proxy(function () {}, {
      get: (_t, p) => (p === 'then' ? undefined : stub),
      apply: () => stub,
    });
    for (const h of hpas.filter((x) => x.metadata.name.startsWith('pasar-consumer-'))) {
      const consumer = REGISTERED_CONSUMERS.find((c) => `pasar-consumer-${c.name}` === h.metadata.name)!;
      const partitions = Math.min(...consumer.create(stub, stub).topics.map((t) => t.partitions));
      expect([consumer.name, h.spec.maxReplicas <= partitions]).toEqual([consumer.name, true]);
    }
  });

  it("every PDB selects one Deployment's pods, allows one pod down, and every Deployment of two pods or more has one", () => {
    for (const p of pdbs) {
      const name = p.metadata.name;
      const matched = deployments.filter((d) => selects(p.spec.selector.matchLabels, podLabels(d)));
      expect([name, matched.map((d) => d.metadata.name)]).toEqual([name, [name]]);
      expect([name, p.spec.maxUnavailable ?? p.spec.minAvailable]).toEqual([name, 1]);
      expect([name, selects(p.spec.selector.matchLabels, job.spec.template.metadata.labels)]).toEqual([name, false]);
    }
    const scaled = new Set(hpas.map((h) => h.spec.scaleTargetRef.name));
    for (const d of deployments) {
      const name = d.metadata.name;
      const several = scaled.has(name) || d.spec.replicas >= 2;
      // One replica: a budget would protect nothing (maxUnavailable) or block every drain (minAvailable).
      expect([name, pdbs.filter((p) => p.metadata.name === name).length]).toEqual([name, several ? 1 : 0]);
    }
    expect(pdbs.map((p) => p.metadata.name)).toEqual(
      expect.arrayContaining(['pasar-outbox-relay', 'pasar-carrier-link']),
    );
  });

  it('the migration Job runs the image of every Deployment, its migrate entry, once, bounded and cleaned up', () => {
    const images = new Set(deployments.map((d) => containerOf(d).image));
    expect([...images]).toHaveLength(1);
    const [c] = job.spec.template.spec.containers;
    expect(c.image).toBe([...images][0]);
    expect([c.command, c.args]).toEqual([MIGRATE, undefined]);
    expect(readFileSync('scripts/build.ts', 'utf8')).toContain("'scripts/migrate.ts'");
    expect(job.spec).toMatchObject({
      backoffLimit: expect.any(Number),
      activeDeadlineSeconds: expect.any(Number),
      ttlSecondsAfterFinished: expect.any(Number),
      podReplacementPolicy: 'Failed',
    });
    expect(job.spec.template.spec).toMatchObject({ restartPolicy: 'Never', automountServiceAccountToken: false });
    expect([c.envFrom, c.securityContext]).toEqual([ENV_FROM, HARDENED]);
    expect(c.resources.limits.memory).toMatch(/^\d+Mi$/);
  });

  it("every Deployment waits in an initContainer, read-only, for the stores its readiness checks to be on its image's schema", () => {
    const carrierLink: DependencyName[] = ['postgres', 'temporal']; // services/shipments/carrier-link-readiness.ts
    const readiness: Record<string, readonly DependencyName[]> = {
      'pasar-api': PROCESS_DEPENDENCIES.api,
      'pasar-worker': PROCESS_DEPENDENCIES.worker,
      'pasar-outbox-relay': PROCESS_DEPENDENCIES.relay,
      'pasar-carrier-link': carrierLink,
      ...Object.fromEntries(REGISTERED_CONSUMERS.map((c) => [`pasar-consumer-${c.name}`, dependenciesOf([c])])),
    };
    expect(readFileSync('services/shipments/carrier-link-readiness.ts', 'utf8')).toContain(
      "checkReadiness(deps, ['postgres', 'temporal'])",
    );
    for (const d of deployments) {
      const name = d.metadata.name;
      const inits = d.spec.template.spec.initContainers ?? [];
      expect([name, inits.map((i: { name: string }) => i.name)]).toEqual([name, ['wait-for-migrations']]);
      const [init] = inits;
      const stores = MIGRATED_STORES.filter((s) => readiness[name]!.includes(s));
      expect([name, init.image, init.command]).toEqual([name, containerOf(d).image, MIGRATE]);
      expect([name, init.args]).toEqual([
        name,
        ['--wait', expect.stringMatching(/^--timeout=\d+$/), `--only=${stores.join(',')}`],
      ]);
      expect([name, init.image]).toEqual([name, job.spec.template.spec.containers[0].image]);
      expect([name, init.envFrom, init.securityContext]).toEqual([name, containerOf(d).envFrom, HARDENED]);
      expect([name, init.resources?.requests?.cpu, init.resources?.limits?.memory]).toEqual([
        name,
        expect.any(String),
        expect.stringMatching(/^\d+Mi$/),
      ]);
    }
  });

  it("a rollout's first step (`-l rollout=first`) holds the Job and everything it refers to, and no Deployment", () => {
    const first = docs.filter((d) => d.metadata.labels?.rollout === 'first').map((d) => `${d.kind}/${d.metadata.name}`);
    expect(first.sort()).toEqual([
      'ConfigMap/pasar-config',
      'Job/pasar-migrate',
      'Namespace/pasar',
      'Secret/pasar-secrets',
    ]);
    for (const ref of job.spec.template.spec.containers[0].envFrom) {
      const [kind, { name }] = ref.configMapRef ? ['ConfigMap', ref.configMapRef] : ['Secret', ref.secretRef];
      expect(first).toContain(`${kind}/${name}`);
    }
    const kustomization = readFileSync('k8s/kustomization.yaml', 'utf8');
    for (const step of [
      'kubectl -n pasar delete job pasar-migrate --ignore-not-found',
      'kubectl apply -k k8s/ -l rollout=first',
      'kubectl -n pasar wait --for=condition=complete job/pasar-migrate',
    ])
      expect(kustomization).toContain(step);
    const waitMinutes = Number(/job\/pasar-migrate --timeout=(\d+)m/.exec(kustomization)?.[1]);
    expect(waitMinutes * 60).toBeGreaterThan(job.spec.activeDeadlineSeconds);
  });
});

// Traefik's CRD fields (traefik.io/v1alpha1, Traefik v3), as far as these manifests use them;
// strict, so a misspelt field fails here as the API server would refuse it.
const MiddlewareRef = z.strictObject({ name: z.string().min(1), namespace: z.string().optional() });
const IngressRoute = z.strictObject({
  apiVersion: z.literal('traefik.io/v1alpha1'),
  kind: z.literal('IngressRoute'),
  metadata: z.object({ name: z.string(), namespace: z.string() }),
  spec: z.strictObject({
    entryPoints: z.array(z.string()).min(1),
    routes: z
      .array(
        z.strictObject({
          kind: z.literal('Rule'),
          match: z.string().min(1),
          priority: z.number().int().optional(),
          middlewares: z.array(MiddlewareRef).optional(),
          services: z.array(z.strictObject({ name: z.string(), port: z.union([z.number().int(), z.string()]) })).min(1),
        }),
      )
      .min(1),
    tls: z.strictObject({ secretName: z.string().min(1) }).optional(),
  }),
});
const Middleware = z.strictObject({
  apiVersion: z.literal('traefik.io/v1alpha1'),
  kind: z.literal('Middleware'),
  metadata: z.object({ name: z.string(), namespace: z.string() }),
  spec: z.union([
    z.strictObject({
      rateLimit: z.strictObject({
        average: z.number().int().positive(),
        period: z.string().regex(/^\d+(ms|s|m|h)$/),
        burst: z.number().int().positive(),
        sourceCriterion: z.strictObject({ ipStrategy: z.strictObject({ depth: z.number().int().min(0) }) }).optional(),
      }),
    }),
    z.strictObject({
      headers: z.strictObject({
        stsSeconds: z.number().int().positive(),
        stsIncludeSubdomains: z.boolean(),
        stsPreload: z.boolean(),
        forceSTSHeader: z.boolean(),
        frameDeny: z.boolean(),
        contentTypeNosniff: z.boolean(),
        referrerPolicy: z.string(),
        permissionsPolicy: z.string(),
        customResponseHeaders: z.record(z.string(), z.string()),
      }),
    }),
    z.strictObject({ buffering: z.strictObject({ maxRequestBodyBytes: z.number().int().positive() }) }),
  ]),
});

describe('Traefik in front of the API', () => {
  const routes = docs.filter((d) => d.kind === 'IngressRoute');
  const middlewares = docs.filter((d) => d.kind === 'Middleware');

  it('has the shape of Traefik CRDs', () => {
    expect(routes).toHaveLength(1);
    for (const r of routes) IngressRoute.parse(r);
    for (const m of middlewares) Middleware.parse(m);
  });

  it('routes to the API Service on a port it exposes, over TLS, with middlewares that exist', () => {
    const route = IngressRoute.parse(routes[0]);
    const service = find('Service', 'pasar-api');
    expect(route.spec.tls?.secretName).toBeTruthy();
    for (const r of route.spec.routes) {
      for (const s of r.services) {
        expect(s.name).toBe('pasar-api');
        expect(service.spec.ports.map((p: { port: number }) => p.port)).toContain(s.port);
      }
      for (const m of r.middlewares ?? []) expect(middlewares.map((x) => x.metadata.name)).toContain(m.name);
    }
  });

  it("serves the API's /metrics only on its probe port, which no Service exposes", () => {
    const api = containerOf(find('Deployment', 'pasar-api'));
    const portOf = (name: string) => api.ports.find((p: { name: string }) => p.name === name)?.containerPort;
    expect(String(portOf('probes'))).toBe(configMap.API_METRICS_PORT);
    expect(String(portOf('http'))).toBe(configMap.API_PORT);
    expect(configMap.API_METRICS_PORT).not.toBe(configMap.API_PORT);
    const annotations = find('Deployment', 'pasar-api').spec.template.metadata.annotations;
    expect(annotations['prometheus.io/port']).toBe(configMap.API_METRICS_PORT);
    const targets = find('Service', 'pasar-api').spec.ports.map((p: { targetPort: unknown }) => p.targetPort);
    expect(targets).toEqual(['http']);
  });

  it('puts security headers on every route, rate limits shoppers, and never routes /metrics', () => {
    const route = IngressRoute.parse(routes[0]);
    const spec = (name: string) => middlewares.find((m) => m.metadata.name === name) as any;
    for (const r of route.spec.routes) {
      const kinds = (r.middlewares ?? []).map((m) => Object.keys(spec(m.name).spec)[0]);
      expect([r.match, kinds]).toEqual([r.match, expect.arrayContaining(['headers', 'buffering'])]);
      const webhookOnly = /Path\(`\/(payments|shipments)\/webhook`\)/.test(r.match) && !r.match.includes('PathPrefix');
      if (!webhookOnly) {
        expect([r.match, kinds]).toEqual([r.match, expect.arrayContaining(['rateLimit'])]);
        expect(r.match).toContain('!PathPrefix(`/metrics`)');
      }
    }
    const headers = middlewares.map((m: any) => m.spec.headers).find(Boolean);
    expect(headers).toMatchObject({ frameDeny: true, contentTypeNosniff: true, stsSeconds: expect.any(Number) });
  });
});
