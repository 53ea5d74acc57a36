/**
 * Imported first by every process entry (`import '../platform/telemetry/register'`): starts
 * tracing before the entry's other imports load the clients the instrumentations patch. The
 * service name is `pasar-<entry file>` unless OTEL_SERVICE_NAME says otherwise.
 */
import path from 'node:path';
import { getConfig } from '../config';
import { startTracing } from './tracing';

const { tracing } = getConfig();
if (tracing.enabled) {
  const entry = path.basename(process.argv[1] ?? 'pasar', path.extname(process.argv[1] ?? ''));
  startTracing({
    serviceName: tracing.serviceName ?? `pasar-${entry}`,
    zipkinUrl: tracing.zipkinUrl,
    sampleRatio: tracing.sampleRatio,
  });
}
