/** Activities for the ping workflow: answers with the worker's process id, proving where it ran. */
export function createPingActivities() {
  return {
    async ping(name: string): Promise<string> {
      return `pong ${name} from worker pid ${process.pid}`;
    },
  };
}

export type PingActivities = ReturnType<typeof createPingActivities>;
