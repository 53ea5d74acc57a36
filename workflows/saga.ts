/**
 * A saga's bookkeeping, in the spirit of Medusa's `createStep(invoke, compensate)`: each step is
 * declared with its undo, and the undo is registered *before* the step runs, since a step that
 * timed out may still have taken effect. Undo runs newest first; every undo is tried even when
 * one fails, and the failures are surfaced together as a non-retryable `CompensationFailed`, so
 * an operator sees the saga failed in the Web UI instead of it being silently dropped.
 */
import { ApplicationFailure } from '@temporalio/workflow';

interface Undo {
  name: string;
  run: () => Promise<unknown>;
}

/** An undo, given what its step returned (undefined when the step failed or has not returned). */
export type UndoOf<T> = (result: T | undefined) => Promise<unknown>;

export class Saga {
  private undos: Undo[] = [];

  /**
   * Runs `run`, having first registered `undo` (when given) to be run if the saga compensates; the
   * undo is handed the step's result, so what a step made (a booking's airway bill) is what it undoes.
   */
  async step<T>(name: string, run: () => Promise<T>, undo?: UndoOf<T>): Promise<T> {
    const done: { result?: T } = {};
    if (undo) this.undos.push({ name, run: () => undo(done.result) });
    done.result = await run();
    return done.result;
  }

  /** The saga committed: what ran so far is never undone (later steps may register undo again). */
  commit() {
    this.undos = [];
  }

  /** The names of the undo steps registered, newest first: what compensate() would run. */
  pending(): string[] {
    return this.undos.map((u) => u.name).reverse();
  }

  /**
   * Runs every registered undo, newest first, each once. Returns the failures (`name: message`)
   * when `surface` is false; otherwise throws them as one CompensationFailed.
   */
  async compensate(options: { surface?: boolean } = {}): Promise<string[]> {
    const errors: string[] = [];
    const undos = this.undos.reverse();
    this.undos = [];
    for (const u of undos) {
      try {
        await u.run();
      } catch (err) {
        errors.push(`${u.name}: ${(err as Error).message}`);
      }
    }
    if (errors.length > 0 && options.surface !== false) throw compensationFailed(errors);
    return errors;
  }
}

/** The failure a saga ends with when an undo gave up: named, non-retryable, listing each. */
export function compensationFailed(errors: string[]) {
  return ApplicationFailure.nonRetryable(`compensation incomplete: ${errors.join('; ')}`, 'CompensationFailed');
}
