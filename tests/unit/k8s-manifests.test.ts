import { readdirSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

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
});
