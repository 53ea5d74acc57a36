/**
 * The carrier stream's resume point in Postgres (its Postgres schema is still named `transport`: transport.carrier_stream_cursors): the last seq
 * the shop acknowledged. Both queries run on the caller's session, which is the one holding the
 * stream's advisory lock, so a replica that lost its session cannot move the cursor.
 */
import type pg from 'pg';

/** The last acknowledged seq of a stream; 0 (replay everything) for a stream never seen. */
export async function readCursor(session: pg.ClientBase, stream: string): Promise<number> {
  await session.query(
    'INSERT INTO transport.carrier_stream_cursors (stream) VALUES ($1) ON CONFLICT (stream) DO NOTHING',
    [stream],
  );
  const { rows } = await session.query<{ last_acked_seq: string }>(
    'SELECT last_acked_seq FROM transport.carrier_stream_cursors WHERE stream = $1',
    [stream],
  );
  return Number(rows[0]?.last_acked_seq ?? 0);
}

/** Moves the cursor forward to `seq` (never back: GREATEST keeps a late writer harmless). */
export async function advanceCursor(session: pg.ClientBase, stream: string, seq: number): Promise<void> {
  const { rowCount } = await session.query(
    `UPDATE transport.carrier_stream_cursors
     SET last_acked_seq = GREATEST(last_acked_seq, $2), updated_at = now() WHERE stream = $1`,
    [stream, seq],
  );
  if (rowCount !== 1) throw new Error(`carrier stream cursor ${stream} is missing`);
}
