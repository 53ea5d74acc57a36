/** Builds every activity from its dependencies, once per worker process. */
import type { Deps } from '../platform/deps';
import { createPingActivities } from './ping';

export function createActivities(_deps: Deps) {
  return {
    ...createPingActivities(),
  };
}

export type Activities = ReturnType<typeof createActivities>;
