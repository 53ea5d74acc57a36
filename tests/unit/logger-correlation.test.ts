/** Every log line carries the active span's trace and span ids and the request id it was written under. */
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { createLogger } from '../../platform/logger';
import { runInRequest } from '../../platform/telemetry/request-context';

const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] });
provider.register();
const tracer = trace.getTracer('logger-test');

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', 'test', { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

afterAll(() => provider.shutdown());

test('a line written inside a span and a request carries trace_id, span_id and request_id', async () => {
  const { logger, lines } = capturingLogger();
  const ids = await runInRequest('req-42', () =>
    tracer.startActiveSpan('handler', async (span) => {
      await new Promise((r) => setTimeout(r, 5)); // across an await, as a handler's lines are
      logger.child({ component: 'orders' }).info('order created');
      span.end();
      return span.spanContext();
    }),
  );
  expect(lines[0]).toMatchObject({
    msg: 'order created',
    component: 'orders',
    trace_id: ids.traceId,
    span_id: ids.spanId,
    request_id: 'req-42',
  });
});

test('a line outside any span or request carries none of them', () => {
  const { logger, lines } = capturingLogger();
  logger.info('boot');
  expect(lines[0]).not.toHaveProperty('trace_id');
  expect(lines[0]).not.toHaveProperty('span_id');
  expect(lines[0]).not.toHaveProperty('request_id');
});

test('each concurrent request keeps its own id', async () => {
  const { logger, lines } = capturingLogger();
  await Promise.all(
    ['a', 'b', 'c'].map((id, i) =>
      runInRequest(id, async () => {
        await new Promise((r) => setTimeout(r, 10 - i * 3));
        logger.info({ expected: id }, 'done');
      }),
    ),
  );
  expect(lines).toHaveLength(3);
  for (const line of lines) expect(line.request_id).toBe(line.expected);
});
