/** Real connections to the local stack for integration tests, closed after each file. */
import { getConfig } from '../../platform/config';
import { closeDeps, createDeps, type Deps } from '../../platform/deps';

export { unique } from './unique';

export function useDeps(): () => Deps {
  let deps: Deps | undefined;
  beforeAll(() => {
    deps = createDeps(getConfig());
  });
  afterAll(async () => {
    if (deps) await closeDeps(deps);
  });
  return () => {
    if (!deps) throw new Error('deps are only available inside tests');
    return deps;
  };
}
