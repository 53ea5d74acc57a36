/**
 * k8s/ against the Kubernetes API's own schemas, with a real validator: kubernetes-validate
 * (PyPI, schemas bundled; installed into the stack cache by scripts/k8s/ensure-validator.sh),
 * strict, so an unknown or misplaced field fails as the API server would refuse it. Traefik's
 * objects are custom resources no Kubernetes schema covers: tests/unit/k8s-manifests.test.ts
 * checks them against Traefik's CRD fields. When kubectl is installed, its kustomize must render
 * the same objects as scripts/k8s/render.ts, which the tests use where kubectl is absent.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { renderKustomization, type Manifest } from '../../scripts/k8s/render';

const CUSTOM_RESOURCE_GROUPS = ['traefik.io'];
const isCustom = (d: Manifest) => CUSTOM_RESOURCE_GROUPS.includes(d.apiVersion.split('/')[0]!);
const KUBERNETES_VERSIONS = ['1.33.0', '1.37.0'];

describe('k8s manifests against the Kubernetes API schemas', () => {
  let validator: string;
  let dir: string;
  const docs = renderKustomization('k8s', { exampleSecrets: true });

  /** Writes each document to a file of its own and runs the validator on them all. */
  function validate(manifests: Manifest[], version: string) {
    const files = manifests.map((d, i) => {
      const file = path.join(dir, `${String(i).padStart(2, '0')}-${d.kind}-${d.metadata.name}.yaml`);
      // YAML 1.1, as the validator (and kubectl) read it: `off` unquoted would become false.
      writeFileSync(file, stringify(d, { version: '1.1' }));
      return file;
    });
    const run = spawnSync(validator, ['--strict', '-k', version, ...files], { encoding: 'utf8' });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  }

  beforeAll(() => {
    validator = execFileSync('bash', ['scripts/k8s/ensure-validator.sh'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
    dir = mkdtempSync(path.join(tmpdir(), 'pasar-k8s-'));
  }, 600_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(KUBERNETES_VERSIONS)('every built-in object validates strictly against Kubernetes %s', (version) => {
    const builtIn = docs.filter((d) => !isCustom(d));
    expect(builtIn.length).toBeGreaterThan(10);
    // The kinds scaling on a cluster needs are among what is validated, not skipped.
    expect(builtIn.map((d) => `${d.apiVersion} ${d.kind}`)).toEqual(
      expect.arrayContaining([
        'apps/v1 Deployment',
        'batch/v1 Job',
        'autoscaling/v2 HorizontalPodAutoscaler',
        'policy/v1 PodDisruptionBudget',
      ]),
    );
    const { status, output } = validate(builtIn, version);
    expect(output).not.toMatch(/ERROR|Couldn't find schema/);
    expect(status).toBe(0);
    // One "passed" per object: a kind the validator had no schema for would only warn.
    expect(output.match(/ passed for resource /g)?.length).toBe(builtIn.length);
  });

  it('only Traefik objects are custom resources (checked against its CRD fields in the unit test)', () => {
    expect([...new Set(docs.filter(isCustom).map((d) => d.kind))].sort()).toEqual(['IngressRoute', 'Middleware']);
  });

  it('the validator is strict: a misspelt probe field, a wrong type, a misspelt HPA target and Job field are refused', () => {
    const find = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name) as any;
    const api = find('Deployment', 'pasar-api');
    const misspelt = structuredClone(api);
    misspelt.spec.template.spec.containers[0].livenesProbe = misspelt.spec.template.spec.containers[0].livenessProbe;
    const wrongType = structuredClone(api);
    wrongType.spec.replicas = 'two';
    const hpa = structuredClone(find('HorizontalPodAutoscaler', 'pasar-api'));
    hpa.spec.metrics[0].resource.target = { type: 'Utilization', averageUtilisation: 70 };
    const job = structuredClone(find('Job', 'pasar-migrate'));
    job.spec.ttlSecondsAfterFinish = 60;
    for (const broken of [misspelt, wrongType, hpa, job]) {
      const { status, output } = validate([broken], '1.33.0');
      expect(status).not.toBe(0);
      expect(output).toMatch(/ERROR .* did not validate/);
    }
  });

  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
  (kubectl ? it : it.skip)('kubectl kustomize renders the same objects as scripts/k8s/render.ts', () => {
    const copy = path.join(dir, 'kustomize');
    cpSync('k8s', copy, { recursive: true });
    cpSync('k8s/secrets.env.example', path.join(copy, 'secrets.env'));
    const rendered = execFileSync('kubectl', ['kustomize', copy], { encoding: 'utf8' });
    const key = (d: Manifest) =>
      `${d.kind}/${d.metadata.namespace ?? ''}/${d.kind === 'Secret' ? d.metadata.name.replace(/-[a-z0-9]{10}$/, '') : d.metadata.name}`;
    const theirs = parseAllDocuments(rendered).map((d) => key(d.toJS() as Manifest));
    expect(theirs.sort()).toEqual(docs.map(key).sort());
  });
});
