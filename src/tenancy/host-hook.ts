// Resolves every request's guild from its host once, before the route's steps: the app-wide hook and its answers.
import type { Logger } from "pino";
import type { App, Request, Response } from "../core/index.js";
import { guildMovedInfo, hostAnswers } from "./answers.js";
import { setRequestTenant } from "./request-tenant.js";
import type { HostOutcome, HostResolver } from "./resolver.js";

/** A redirect may be cached, but never past the end of its window: the old slug is then free for another guild. */
const maxRedirectCacheSeconds = 24 * 3600;

/**
 * Adds the `beforeRouteExecution` hook that resolves the host (`requestTenant(request)` reads the result) and the two
 * answers every route may then give: 404 `guild.unknown_host` and 400 `host.invalid`. On the platform's host it reads
 * two headers and compares strings; on a cached guild host it adds one cache read; only a miss waits for the database.
 */
export function serveGuildHosts(
	app: App,
	{
		resolver,
		baseDomain,
		now,
		logger,
	}: { resolver: HostResolver; baseDomain: string; now: () => Date; logger: Pick<Logger, "isLevelEnabled"> },
): void {
	app.answerError(hostAnswers.unknownHost);
	app.answerError(hostAnswers.invalidHost);
	const debug = logger.isLevelEnabled("debug");

	function apply(request: Request, response: Response, outcome: HostOutcome, startedAt: number): void {
		if (debug) logResolution(request, outcome, startedAt);
		if (outcome === undefined) return;
		if ("movedTo" in outcome) redirect(request, response, outcome.movedTo);
		setRequestTenant(request, outcome);
		// A client naming a guild by a previous slug learns the current one, and may update what it stored.
		if (outcome.stale === true) response.header("x-guild", outcome.guild.slug);
	}

	/**
	 * A network-path reference (`//new.<base>/path`): the client keeps the scheme it used, which the API behind a proxy
	 * cannot know for sure. Every method: 308 repeats it, body included, at the new host.
	 */
	function redirect(request: Request, response: Response, movedTo: { slug: string; port: string; until: Date }): never {
		const host = `${movedTo.slug}.${baseDomain}${movedTo.port === "" ? "" : `:${movedTo.port}`}`;
		const location = `//${host}${request.url}`;
		const seconds = Math.max(
			0,
			Math.min(maxRedirectCacheSeconds, Math.floor((movedTo.until.getTime() - now().getTime()) / 1000)),
		);
		return response
			.header("location", location)
			.header("cache-control", `max-age=${seconds}`)
			.code(308)
			.info(guildMovedInfo)
			.send({ error: guildMovedInfo, message: `This guild is now served at ${host}.`, location });
	}

	app.addHook("beforeRouteExecution", (request, response) => {
		const startedAt = debug ? performance.now() : 0;
		const outcome = resolver.resolve(request.headers.host, request.headers["x-guild"]);
		if (outcome instanceof Promise) return outcome.then((resolved) => apply(request, response, resolved, startedAt));
		if (outcome !== undefined || debug) apply(request, response, outcome, startedAt);
	});
}

function logResolution(request: Request, outcome: HostOutcome, startedAt: number): void {
	const ms = Math.round((performance.now() - startedAt) * 1000) / 1000;
	const host = request.headers.host;
	if (outcome === undefined) request.logger.debug({ host, guildId: null, ms }, "host resolved to the platform");
	else if ("movedTo" in outcome) request.logger.debug({ host, movedTo: outcome.movedTo.slug, ms }, "host redirected");
	else request.logger.debug({ host, guildId: outcome.guild.id, via: outcome.via, ms }, "host resolved to a guild");
}
