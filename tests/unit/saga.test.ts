/**
 * The saga helper's promises, which every workflow's compensation leans on: an undo is registered
 * before its step runs (a step that failed, maybe after taking effect, is still undone), undo runs
 * newest first and each once, every undo is tried even when one fails, the failures surface
 * together as a non-retryable CompensationFailed, an undo sees what its step returned, and a commit
 * means nothing before it is undone.
 */
import { ApplicationFailure } from '@temporalio/common';
import { Saga } from '../../workflows/saga';

describe('Saga', () => {
  it('undoes newest first, including the step that failed, and surfaces nothing when all undo', async () => {
    const saga = new Saga();
    const ran: string[] = [];
    await saga.step(
      'a',
      async () => ran.push('a'),
      async () => ran.push('undo a'),
    );
    await saga.step(
      'b',
      async () => ran.push('b'),
      async () => ran.push('undo b'),
    );
    await expect(
      saga.step(
        'c',
        async () => {
          throw new Error('timed out after the effect');
        },
        async (result) => ran.push(`undo c (${String(result)})`),
      ),
    ).rejects.toThrow('timed out');
    expect(saga.pending()).toEqual(['c', 'b', 'a']);
    expect(await saga.compensate()).toEqual([]);
    expect(ran).toEqual(['a', 'b', 'undo c (undefined)', 'undo b', 'undo a']);
    // Each undo runs once: a second compensation finds nothing left.
    expect(await saga.compensate()).toEqual([]);
    expect(ran).toHaveLength(5);
  });

  it('tries every undo when one fails, then surfaces all failures as CompensationFailed', async () => {
    const saga = new Saga();
    const ran: string[] = [];
    await saga.step(
      'reserve',
      async () => 1,
      async () => ran.push('release'),
    );
    await saga.step(
      'charge',
      async () => 2,
      async () => {
        throw new Error('gateway down');
      },
    );
    await saga.step(
      'book',
      async () => 3,
      async () => {
        throw new Error('carrier down');
      },
    );
    const failure = await saga.compensate().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'CompensationFailed', nonRetryable: true });
    expect((failure as Error).message).toBe('compensation incomplete: book: carrier down; charge: gateway down');
    expect(ran).toEqual(['release']);
  });

  it('returns the failures instead of throwing when asked to, for the caller to record first', async () => {
    const saga = new Saga();
    await saga.step(
      'x',
      async () => undefined,
      async () => {
        throw new Error('no');
      },
    );
    expect(await saga.compensate({ surface: false })).toEqual(['x: no']);
  });

  it("hands each undo its step's result, and a commit keeps what ran before it", async () => {
    const saga = new Saga();
    const undone: unknown[] = [];
    await saga.step(
      'deduct',
      async () => 'deducted',
      async (r) => undone.push(r),
    );
    saga.commit();
    const booking = await saga.step(
      'book',
      async () => ({ awb: 'JNE1' }),
      async (r) => undone.push(r),
    );
    expect(booking).toEqual({ awb: 'JNE1' });
    await saga.compensate();
    expect(undone).toEqual([{ awb: 'JNE1' }]);
  });

  it('a step without an undo registers nothing', async () => {
    const saga = new Saga();
    expect(await saga.step('read', async () => 42)).toBe(42);
    expect(saga.pending()).toEqual([]);
  });
});
