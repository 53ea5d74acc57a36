/**
 * Renders k8s/kustomization.yaml into the documents `kubectl apply -k` would send, for machines
 * without kubectl and for the manifest tests: its resources in order, the namespace set on every
 * namespaced object, and the secretGenerator's Secret from its env file. Only the kustomization
 * fields Pasar uses are understood; any other is refused, so a new one cannot be silently skipped.
 *
 * `npx tsx scripts/k8s/render.ts [--example-secrets] > pasar.yaml`
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, parse, stringify } from 'yaml';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

interface SecretGenerator {
  name: string;
  envs?: string[];
  /** Set on the generated Secret (a rollout's first step selects it by label: kustomization.yaml). */
  options?: { labels?: Record<string, string>; annotations?: Record<string, string> };
}

interface Kustomization {
  namespace?: string;
  resources?: string[];
  secretGenerator?: SecretGenerator[];
}

const UNDERSTOOD = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'secretGenerator']);
const UNDERSTOOD_GENERATOR = new Set(['name', 'envs', 'options']);
const UNDERSTOOD_OPTIONS = new Set(['labels', 'annotations']);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition']);

/** `exampleSecrets`: build the Secret from `<env file>.example` (tests, and a dry run before secrets exist). */
export function renderKustomization(dir: string, options: { exampleSecrets?: boolean } = {}): Manifest[] {
  const k = parse(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;
  const unknown = Object.keys(k).filter((f) => !UNDERSTOOD.has(f));
  if (unknown.length)
    throw new Error(`kustomization.yaml: ${unknown.join(', ')} not understood by scripts/k8s/render.ts`);
  const docs: Manifest[] = (k.resources ?? []).flatMap((file) =>
    parseAllDocuments(readFileSync(path.join(dir, file), 'utf8')).map((d) => {
      if (d.errors.length) throw new Error(`${file}: ${d.errors[0]!.message}`);
      return d.toJS() as Manifest;
    }),
  );
  for (const gen of k.secretGenerator ?? []) {
    const fields = [
      ...Object.keys(gen).filter((f) => !UNDERSTOOD_GENERATOR.has(f)),
      ...Object.keys(gen.options ?? {})
        .filter((f) => !UNDERSTOOD_OPTIONS.has(f))
        .map((f) => `options.${f}`),
    ];
    if (fields.length)
      throw new Error(
        `kustomization.yaml secretGenerator ${gen.name}: ${fields.join(', ')} not understood by scripts/k8s/render.ts`,
      );
    docs.push(generateSecret(dir, gen, options.exampleSecrets ?? false));
  }
  return docs.map((doc) =>
    k.namespace && !CLUSTER_SCOPED.has(doc.kind)
      ? { ...doc, metadata: { ...doc.metadata, namespace: k.namespace } }
      : doc,
  );
}

function generateSecret(dir: string, gen: SecretGenerator, example: boolean): Manifest {
  const data: Record<string, string> = {};
  for (const envFile of gen.envs ?? []) {
    const file = path.join(dir, example ? `${envFile}.example` : envFile);
    if (!existsSync(file)) throw new Error(`${file} is missing: copy ${envFile}.example and fill it in`);
    for (const [key, value] of parseEnvFile(readFileSync(file, 'utf8'))) {
      data[key] = Buffer.from(value).toString('base64');
    }
  }
  const { labels, annotations } = gen.options ?? {};
  const metadata = { name: gen.name, ...(labels && { labels }), ...(annotations && { annotations }) };
  return { apiVersion: 'v1', kind: 'Secret', metadata, type: 'Opaque', data };
}

/** KEY=value lines; `#` comments and blank lines skipped, as kustomize reads an env file. */
export function parseEnvFile(text: string): [string, string][] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const eq = l.indexOf('=');
      if (eq < 1) throw new Error(`not KEY=value: ${l}`);
      return [l.slice(0, eq), l.slice(eq + 1)];
    });
}

if (process.argv[1]?.endsWith('render.ts')) {
  const docs = renderKustomization('k8s', { exampleSecrets: process.argv.includes('--example-secrets') });
  // YAML 1.1 quoting, as kubectl reads it: a plain `off` would arrive as false.
  process.stdout.write(docs.map((d) => stringify(d, { version: '1.1' })).join('---\n'));
}
