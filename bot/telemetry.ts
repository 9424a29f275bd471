import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { observeOutbox, observePool } from '../src/metrics.js';
import type { Logger } from '../src/log.js';

export interface Telemetry {
  /** Where it goes, for the log. */
  to: 'azure-monitor' | 'otlp';
  /** Sends what is buffered and stops (at shutdown). */
  shutdown(): Promise<void>;
}

/**
 * Registers OpenTelemetry's SDK when the environment names somewhere to send to: Application
 * Insights (APPLICATIONINSIGHTS_CONNECTION_STRING) first, else an OTLP/HTTP endpoint
 * (OTEL_EXPORTER_OTLP_ENDPOINT or its metrics/traces variants, read by the exporters themselves).
 * Neither, or OTEL_SDK_DISABLED=true: nothing is registered and the calls in src/metrics.ts do
 * nothing. Only our own spans and metrics: no automatic HTTP or SQL instrumentation, which would
 * record report links' tokens and queries.
 */
export async function startTelemetry(self: { instanceId: string; build: string }, env: NodeJS.ProcessEnv = process.env): Promise<Telemetry | undefined> {
  if (String(env.OTEL_SDK_DISABLED).toLowerCase() === 'true') return undefined;
  const connectionString = env.APPLICATIONINSIGHTS_CONNECTION_STRING;
  const otlp = env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (!connectionString && !otlp) return undefined;
  let metricExporter: PushMetricExporter;
  let spanExporter: SpanExporter;
  if (connectionString) {
    const azure = await import('@azure/monitor-opentelemetry-exporter');
    metricExporter = new azure.AzureMonitorMetricExporter({ connectionString });
    spanExporter = new azure.AzureMonitorTraceExporter({ connectionString });
  } else {
    const [{ OTLPMetricExporter }, { OTLPTraceExporter }] = await Promise.all([import('@opentelemetry/exporter-metrics-otlp-http'), import('@opentelemetry/exporter-trace-otlp-http')]);
    metricExporter = new OTLPMetricExporter();
    spanExporter = new OTLPTraceExporter();
  }
  const resource = resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || 'brokerage-bot', 'service.version': self.build, 'service.instance.id': self.instanceId });
  const meterProvider = new MeterProvider({
    resource,
    readers: [new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: Number(env.OTEL_METRIC_EXPORT_INTERVAL) || 60_000 })],
  });
  const tracerProvider = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(spanExporter)] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  metrics.setGlobalMeterProvider(meterProvider);
  trace.setGlobalTracerProvider(tracerProvider);
  return {
    to: connectionString ? 'azure-monitor' : 'otlp',
    async shutdown() {
      await Promise.allSettled([meterProvider.shutdown(), tracerProvider.shutdown()]);
    },
  };
}

/** The gauges read from this instance's outbox and PostgreSQL pool when metrics are collected. */
export function observe(server: { runtime: { outbox: { pendingCount: number; oldestQueuedAt?: number } }; store: object }, logger: Logger): void {
  observeOutbox(() => ({ pending: server.runtime.outbox.pendingCount, oldestQueuedAt: server.runtime.outbox.oldestQueuedAt }));
  const pool = (server.store as { pool?: { totalCount: number; idleCount: number; waitingCount: number } }).pool;
  if (pool) observePool(pool);
  logger.debug('telemetry gauges registered', { pool: !!pool });
}
