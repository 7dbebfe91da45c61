// What GET /metrics answers, each said once: the route sends these values and declares them.
import { answer, FrameworkInfo, refusal } from "../../core/index.js";

export const metricsAnswers = {
	/** Prometheus text format 0.0.4; no body schema, the route sends the registry's text itself. */
	exposition: answer(200, "metrics.exposition"),
	/** Without METRICS_TOKEN the route does not exist, as far as anyone can tell: the router's own answer. */
	notConfigured: refusal(404, FrameworkInfo.notFound, "No route for this path."),
	tokenInvalid: refusal(401, "metrics.token_invalid", "GET /metrics needs METRICS_TOKEN as a Bearer token."),
};
