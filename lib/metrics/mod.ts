/**
 * Monitoring: the Prometheus metrics and `/health` of the bot and the recorder, the HTTP
 * endpoint serving them, and the `--metrics_addr` flags. The live code only calls the
 * small recorder methods of {@linkcode BotMetrics}; state is read at scrape time.
 *
 * @module
 */
export {
  BotMetrics,
  type BotMetricsOptions,
  type DecisionEvent,
  type RecentLine,
  type RecordEvent,
  type UserEventLike,
} from "./bot_metrics.ts";
export type {
  BotView,
  ExitView,
  InputView,
  KillSwitchView,
  PnlView,
  PositionView,
  RestView,
  StreamView,
} from "./bot_view.ts";
export {
  DECISION_OUTCOMES,
  type DecisionOutcome,
  decisionOutcome,
} from "./decision_outcome.ts";
export { type HealthReport, healthReport } from "./health.ts";
export {
  isLoopback,
  METRICS_FLAGS,
  type MetricsAddr,
  parseMetricsAddr,
} from "./metrics_addr.ts";
export {
  handleMetricsRequest,
  type MetricsServer,
  type MetricsSource,
  startMetricsServer,
} from "./metrics_server.ts";
export { meteredPort } from "./metered_port.ts";
export { type Monitoring, startMonitoring } from "./monitoring.ts";
