/** Structured JSON logging (pino); one root logger per process, children per component. */
import { pino, type Logger } from 'pino';

export type { Logger };

/** Creates the process's root logger at the configured level. */
export function createLogger(level: string, name = 'pasar'): Logger {
  return pino({ name, level, base: { service: name } });
}
