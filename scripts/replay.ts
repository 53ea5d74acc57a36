/**
 * Replays workflow histories against the workflow code in this checkout, so a change that would
 * break running sagas (non-determinism) is caught before a deploy.
 *
 *   npm run replay -- <workflow-id> [--save <name>]   fetch from the Temporal server and replay;
 *                                                      --save writes tests/replay/histories/<name>.json
 *   npm run replay -- --dir tests/replay/histories    replay every saved history (the test suite does)
 *   ... --workflows <path>                            replay against other workflow code
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { getConfig } from '../platform/config';
import { WORKFLOWS_PATH } from '../workers/worker';

Runtime.install({ logger: new DefaultLogger('WARN') });

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const workflowsPath = path.resolve(option('--workflows') ?? WORKFLOWS_PATH);

interface Saved {
  workflowId: string;
  history: unknown;
}

async function fromServer(workflowId: string): Promise<Saved> {
  const { temporal } = getConfig();
  const connection = await Connection.connect({ address: temporal.address }).catch((err: unknown) => {
    throw new Error(`cannot reach Temporal at ${temporal.address}: ${(err as Error).message} (npm run stack:up)`);
  });
  try {
    const history = await new Client({ connection, namespace: temporal.namespace }).workflow
      .getHandle(workflowId)
      .fetchHistory();
    const name = option('--save');
    if (name) {
      const file = path.join('tests/replay/histories', `${name}.json`);
      // Canonical proto JSON (what `temporal workflow show --output json` prints), which replay reads back.
      await writeFile(file, `{"workflowId": ${JSON.stringify(workflowId)}, "history": ${historyToJSON(history)}}\n`);
      console.log(`[replay] saved ${file}`);
    }
    return { workflowId, history };
  } finally {
    await connection.close();
  }
}

async function fromDir(dir: string): Promise<Saved[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(files.map(async (f) => JSON.parse(await readFile(path.join(dir, f), 'utf8')) as Saved));
}

async function main() {
  const dir = option('--dir');
  const id = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
  if (!dir && !id)
    throw new Error('usage: npm run replay -- <workflow-id> [--save <name>] | --dir <folder> [--workflows <path>]');
  const histories = dir ? await fromDir(dir) : [await fromServer(id!)];
  let failed = 0;
  for await (const result of Worker.runReplayHistories({ workflowsPath }, histories)) {
    if (result.error) {
      failed++;
      const kind = result.error.name === 'DeterminismViolationError' ? 'NON-DETERMINISM' : 'FAILED';
      console.error(`[replay] ${kind} ${result.workflowId}: ${result.error.message}`);
    } else {
      console.log(`[replay] OK ${result.workflowId}`);
    }
  }
  console.log(`[replay] ${histories.length - failed} replayed deterministically, ${failed} failed`);
  if (failed > 0) process.exitCode = 1;
}

main().catch((err) => {
  console.error(`[replay] ${(err as Error).message}`);
  process.exitCode = 1;
});
