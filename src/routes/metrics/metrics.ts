// GET /metrics: the instance's Prometheus metrics, for a scraper holding METRICS_TOKEN; unknown to everyone else.
import { createHash, timingSafeEqual } from "node:crypto";
import type { Registry } from "prom-client";
import type { App } from "../../core/index.js";
import { metricsAnswers } from "./answers.js";

const digest = (value: string) => createHash("sha256").update(value).digest();

/** `registry` and `token` go together: without a token nothing is recorded, and the route answers 404. */
export function declareMetricsRoutes(app: App, exposed: { token: string; registry: Registry } | undefined): void {
	const { exposition, notConfigured, tokenInvalid } = metricsAnswers;
	// Digests of equal length, compared in constant time: the answer's timing says nothing of the token.
	const expected = exposed === undefined ? undefined : digest(exposed.token);

	app
		.declareRoute("GET", "/metrics")
		.cut(
			(_floor, response, request) => {
				if (expected === undefined)
					return notConfigured.send(response, `No route for ${request.method} ${request.path}.`);
				const token = /^Bearer[ ]+(\S+)\s*$/i.exec(request.headers.authorization ?? "")?.[1];
				if (token === undefined || !timingSafeEqual(digest(token), expected)) {
					response.header("www-authenticate", `Bearer realm="metrics"`);
					return tokenInvalid.send(response);
				}
			},
			[],
			notConfigured,
			tokenInvalid,
		)
		.handler(async (_floor, response) => {
			const registry = exposed?.registry as Registry;
			return response
				.code(exposition.code)
				.info(exposition.info)
				.header("content-type", registry.contentType)
				.header("cache-control", "no-store")
				.send(await registry.metrics());
		}, exposition);
}
