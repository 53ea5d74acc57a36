import { readdirSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { REGISTERED_CONSUMERS } from '../../workers/consumer-registry';

const docs = readdirSync('k8s')
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => parseAllDocuments(readFileSync(`k8s/${f}`, 'utf8')).map((d) => d.toJS()));
const containers = docs
  .filter((d) => d.kind === 'Deployment')
  .flatMap((d) => d.spec.template.spec.containers as { image: string; command: string[] }[]);

describe('k8s manifests', () => {
  it('pin every image to a version, never :latest', () => {
    expect(containers.length).toBeGreaterThan(0);
    for (const c of containers) expect(c.image).toMatch(/:\d+\.\d+\.\d+$/);
  });

  it('run entry points that exist in this repository', () => {
    const files = new Set(readdirSync('workers').map((f) => `workers/${f}`));
    for (const c of containers) expect(files).toContain(c.command.at(-1));
  });

  it('probe the API on the routes it serves', () => {
    const api = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'pasar-api');
    const probe = api.spec.template.spec.containers[0];
    expect(probe.livenessProbe.httpGet.path).toBe('/healthz');
    expect(probe.readinessProbe.httpGet.path).toBe('/readyz');
  });

  it('probe every process: liveness on /healthz, readiness on /readyz, on a port the process serves', () => {
    const config = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'pasar-config').data;
    const healthPort: Record<string, string> = {
      'pasar-api': config.API_PORT,
      'pasar-worker': config.WORKER_HEALTH_PORT,
      'pasar-outbox-relay': config.RELAY_HEALTH_PORT,
      ...Object.fromEntries(
        REGISTERED_CONSUMERS.map((c) => [`pasar-consumer-${c.name}`, config.CONSUMERS_HEALTH_PORT]),
      ),
    };
    for (const [name, port] of Object.entries(healthPort)) {
      const deployment = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === name);
      const c = deployment.spec.template.spec.containers[0];
      expect([name, c.livenessProbe?.httpGet?.path, c.readinessProbe?.httpGet?.path]).toEqual([
        name,
        '/healthz',
        '/readyz',
      ]);
      const named = (c.ports ?? []).find((p: { name: string }) => p.name === c.readinessProbe.httpGet.port);
      expect([name, String(named?.containerPort)]).toEqual([name, port]);
    }
  });

  it('run each registered Kafka consumer in a Deployment of its own, and nothing else', () => {
    const consumers = docs
      .filter(
        (d) => d.kind === 'Deployment' && d.spec.template.spec.containers[0].command.at(-1) === 'workers/consumers.ts',
      )
      .map((d) => [d.metadata.name, d.spec.template.spec.containers[0].args]);
    expect(consumers.sort()).toEqual(REGISTERED_CONSUMERS.map((c) => [`pasar-consumer-${c.name}`, [c.name]]).sort());
  });
});
