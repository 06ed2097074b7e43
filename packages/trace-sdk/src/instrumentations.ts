// Creates the bundled instrumentations (http, undici/fetch, pg, and pino/winston for log correlation) that the configuration enables,
// with the hooks contributed by the X-Trace-ID integration and the query-hashing processors merged
// into their configs. Each instrumentation module is required only when enabled.
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { InstrumentationName } from './config';

export interface InstrumentationConfigs {
  http?: object;
  undici?: object;
  pg?: object;
  pino?: object;
  winston?: object;
}

export function createInstrumentations(enabled: InstrumentationName[], configs: InstrumentationConfigs): Instrumentation[] {
  const out: Instrumentation[] = [];
  for (const name of enabled) {
    switch (name) {
      case 'http': {
        const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
        out.push(new HttpInstrumentation({ ...configs.http }));
        break;
      }
      case 'undici': {
        const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici');
        out.push(new UndiciInstrumentation({ ...configs.undici }));
        break;
      }
      case 'pg': {
        const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg');
        // enhancedDatabaseReporting would put bound parameter values (PII) on spans: never.
        out.push(new PgInstrumentation({ ...configs.pg, enhancedDatabaseReporting: false }));
        break;
      }
      case 'pino': {
        const { PinoInstrumentation } = require('@opentelemetry/instrumentation-pino');
        // Correlation fields only; no OTel log records are produced (no logger provider either).
        out.push(new PinoInstrumentation({ ...configs.pino, disableLogSending: true }));
        break;
      }
      case 'winston': {
        const { WinstonInstrumentation } = require('@opentelemetry/instrumentation-winston');
        out.push(new WinstonInstrumentation({ ...configs.winston, disableLogSending: true }));
        break;
      }
    }
  }
  return out;
}
