/**
 * Structured JSON logging (pino); one root logger per process, children per component. Every
 * line carries the active span's trace_id and span_id and, inside an HTTP request, its
 * request_id: a shopper's error report (the body's request_id) leads to the log lines and the
 * trace in Zipkin.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { currentRequestId } from './telemetry/request-context';
import { activeTraceIds } from './telemetry/trace-context';

export type { Logger };

/** The correlation fields of the moment a line is written: trace, span and request ids when there are. */
export function correlationFields(): { trace_id?: string; span_id?: string; request_id?: string } {
  const requestId = currentRequestId();
  return requestId ? { ...activeTraceIds(), request_id: requestId } : activeTraceIds();
}

/** Creates the process's root logger at the configured level (to stdout unless a test passes a destination). */
export function createLogger(level: string, name = 'pasar', destination?: DestinationStream): Logger {
  const options = { name, level, base: { service: name }, mixin: correlationFields };
  return destination ? pino(options, destination) : pino(options);
}
