/**
 * Workflow tests on Temporal's time-skipping test server: days of durable timers pass in
 * milliseconds, so a workflow runs with its real production deadlines. The server is the Java one
 * from Maven Central (the SDK's own download cannot reach its host here), provisioned once into the
 * stack's cache by scripts/stack/temporal-test-server.sh.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import * as appSearchAttributes from '../../workflows/search-attributes';
import { unique } from './unique';

const ENSURE_SCRIPT = path.resolve(__dirname, '../../scripts/stack/temporal-test-server.sh');
// The worker's own entry (workers/worker.ts exports it too; not imported here, so a workflow test
// does not load the worker's database, Kafka and telemetry modules).
export const WORKFLOWS_PATH = path.resolve(__dirname, '../../workflows/index.ts');
/** Set by the unit project's global setup (tests/support/unit-global-setup.ts): the bundle it built once. */
export const SHARED_BUNDLE_ENV = 'PASAR_TEST_WORKFLOW_BUNDLE';

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
  quietRuntime();
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

let bundle: Promise<WorkflowBundleOption> | undefined;
/**
 * The app's workflows, bundled from the tree at the start of this jest run: once for the whole run
 * when the unit project's global setup did it, else once per test file (bundling takes seconds).
 */
export function workflowBundle(): Promise<WorkflowBundleOption> {
  const shared = process.env[SHARED_BUNDLE_ENV];
  bundle ??= shared
    ? Promise.resolve({ codePath: shared })
    : bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
  return bundle;
}

/** The SDK's process-wide logger at WARN (its INFO lines about each worker's state are noise here). */
function quietRuntime() {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Installed already, by an earlier file in this process.
  }
}

/**
 * One time-skipping server and one worker (the app's workflows, the given mocked activities, a task
 * queue of the file's own) for a whole test file: started before its tests, stopped after them.
 * Workflows the tests `track` are terminated after each test, so one a failed test leaves running
 * cannot fire its timers into the next test's skipped time.
 */
export function useTimeSkippingWorker(activities: () => object) {
  const taskQueue = unique('time-skip');
  let env: TestWorkflowEnvironment | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const tracked = new Set<string>();
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: activities(),
    });
    running = worker.run();
  });
  afterEach(async () => {
    const ids = [...tracked];
    tracked.clear();
    await Promise.all(
      ids.map((id) =>
        env?.client.workflow
          .getHandle(id)
          .terminate('test over')
          .catch(() => undefined),
      ),
    );
  });
  afterAll(async () => {
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await running;
    await env?.teardown();
  });
  return {
    taskQueue,
    env: (): TestWorkflowEnvironment => {
      if (!env) throw new Error('the time-skipping environment is only available inside tests');
      return env;
    },
    /** Marks a workflow (by id) to be terminated after this test if it is still running. */
    track: (workflowId: string) => void tracked.add(workflowId),
  };
}

/**
 * Activities that call whatever `current()` holds at the time of the call: one worker serves a
 * whole file while each (serial) test records into mocks of its own.
 */
export function delegateTo<T extends object>(current: () => T): T {
  const names = Object.keys(current()) as (keyof T)[];
  return Object.fromEntries(
    names.map((name) => [name, (...args: unknown[]) => (current()[name] as (...a: unknown[]) => unknown)(...args)]),
  ) as T;
}

/**
 * Polls `probe` (in real time: the server's clock does not skip meanwhile) until it returns a
 * value. The bound is only there to name what never came; it is far above any machine's pace.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`never reached: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Resolves once the workflow has acted on everything the server handed it: no workflow task and
 * no activity in flight in its history. After `env.sleep()` fired a timer, or after a signal, this
 * is the moment to check that something did NOT happen; a fixed pause would only guess at it.
 */
export async function quiescent(handle: WorkflowHandle, timeoutMs = 30_000): Promise<void> {
  await eventually(
    `${handle.workflowId} to have nothing in flight`,
    async () => {
      const events = (await handle.fetchHistory()).events ?? [];
      const open = new Set<number>();
      for (const e of events) {
        const id = Number(e.eventId);
        if (e.workflowTaskScheduledEventAttributes || e.activityTaskScheduledEventAttributes) open.add(id);
        const closed =
          e.workflowTaskCompletedEventAttributes ??
          e.workflowTaskFailedEventAttributes ??
          e.workflowTaskTimedOutEventAttributes ??
          e.activityTaskCompletedEventAttributes ??
          e.activityTaskFailedEventAttributes ??
          e.activityTaskTimedOutEventAttributes ??
          e.activityTaskCanceledEventAttributes;
        if (closed?.scheduledEventId != null) open.delete(Number(closed.scheduledEventId));
      }
      return open.size === 0;
    },
    timeoutMs,
  );
}
