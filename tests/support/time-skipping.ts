/**
 * Workflow tests on Temporal's time-skipping test server: days of durable timers pass in
 * milliseconds, so a workflow runs with its real production deadlines. The server is the Java one
 * from Maven Central (the SDK's own download cannot reach its host here), provisioned once into the
 * stack's cache by scripts/stack/temporal-test-server.sh.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import * as appSearchAttributes from '../../workflows/search-attributes';
import { unique } from './deps';

const ENSURE_SCRIPT = path.resolve(__dirname, '../../scripts/stack/temporal-test-server.sh');
// The worker's own entry (workers/worker.ts exports it too; not imported here, so a workflow test
// does not load the worker's database, Kafka and telemetry modules).
const WORKFLOWS_PATH = path.resolve(__dirname, '../../workflows/index.ts');

/** Fetches the test server on first use (a fresh machine: ~10 s) and returns its wrapper's path. */
export function ensureTimeSkippingServer(): string {
  try {
    const out = execFileSync('bash', [ENSURE_SCRIPT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return out.trim().split('\n').at(-1)!;
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new Error(`time-skipping test server: ${ENSURE_SCRIPT} failed: ${stderr || String(err)}`);
  }
}

/** A fresh time-skipping Temporal (its own in-memory server on a free port); tear it down after. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const wrapper = ensureTimeSkippingServer();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: wrapper } },
  });
  await registerSearchAttributes(env);
  return env;
}

/**
 * The workflows upsert the app's search attributes, which a server refuses unless registered (the
 * stack registers them in scripts/stack/temporal.sh); every key workflows/search-attributes.ts
 * defines is registered here, so a new one needs no change in this file.
 */
async function registerSearchAttributes(env: TestWorkflowEnvironment) {
  const searchAttributes: Record<string, number> = {};
  for (const key of Object.values(appSearchAttributes) as unknown[]) {
    if (!isSearchAttributeKey(key)) continue;
    const indexed = INDEXED_VALUE_TYPE[key.type];
    if (indexed === undefined) throw new Error(`search attribute ${key.name}: unknown type ${key.type}`);
    searchAttributes[key.name] = indexed;
  }
  await env.connection.operatorService.addSearchAttributes({ namespace: env.namespace, searchAttributes });
}

// The API's IndexedValueType numbers (temporal/api/enums/v1/common.proto), by the SDK's type names.
const INDEXED_VALUE_TYPE: Record<string, number | undefined> = {
  TEXT: 1,
  KEYWORD: 2,
  INT: 3,
  DOUBLE: 4,
  BOOL: 5,
  DATETIME: 6,
  KEYWORD_LIST: 7,
};

const isSearchAttributeKey = (value: unknown): value is { name: string; type: string } =>
  typeof value === 'object' && value !== null && 'name' in value && 'type' in value;

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The app's workflows bundled once per test file (bundling takes seconds; workers reuse it). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
  return bundle;
}

/**
 * Runs `body` with a worker polling a task queue of its own on `env`, executing the app's real
 * workflows with the given (mocked) activities; the worker stops when `body` settles.
 */
export async function withWorker<T>(
  env: TestWorkflowEnvironment,
  activities: object,
  body: (taskQueue: string) => Promise<T>,
): Promise<T> {
  const taskQueue = unique('time-skip');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities,
  });
  return worker.runUntil(body(taskQueue));
}
