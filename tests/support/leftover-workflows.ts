/**
 * Workflows a test file starts and a failed test (or a deadline longer than the file) would leave
 * running on a task queue nobody serves once the file ends: `endLeftoverWorkflows()` returns the
 * list to push their ids to, and terminates the ones still running after the file, with a Temporal
 * client of its own (the file's server is closed by then). Finished ones stay as they are.
 */
import { createTemporal } from '../../platform/clients/temporal';
import { getConfig } from '../../platform/config';

export function endLeftoverWorkflows(): string[] {
  const started: string[] = [];
  afterAll(async () => {
    const config = getConfig();
    const temporal = createTemporal(config.temporal.address, config.temporal.namespace);
    for (const id of started) {
      const handle = temporal.client.workflow.getHandle(id);
      const running = await handle.describe().then(
        (d) => d.status.name === 'RUNNING',
        () => false,
      );
      if (running) await handle.terminate('test finished').catch(() => undefined);
    }
    await temporal.connection.close();
  });
  return started;
}
