// The application: declares routes, owns the hooks, compiles executors, serves HTTP, injects and shuts down.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, Server as NetServer, type Socket } from "node:net";
import { type Logger, pino } from "pino";
import { createAbstractRoute, type DeclareRouteFrom, mergeAbstractRoutes } from "./abstract-route.js";
import { defaultBodyLimit } from "./body.js";
import { defaultUnreadBodyLimits, type UnreadBodyLimits } from "./drain.js";
import type { ErrorAnswer } from "./error-answers.js";
import { DeclarationError, FrameworkInfo } from "./errors.js";
import { EventStreamRegistry } from "./event-stream.js";
import {
	type CompiledRoute,
	compileRoute,
	defaultErrorHandler,
	type Environment,
	type ErrorHandler,
	type ExecutorSettings,
} from "./executor.js";
import { defaultExtractErrorHandler, type ExtractErrorHandler } from "./extract.js";
import {
	emptyHookLists,
	type HookLists,
	type RouteHookName,
	type RouteHooks,
	routeHookNames,
	type ServerHooks,
} from "./hooks.js";
import {
	buildInjectedRequest,
	collectResponse,
	type InjectRequest,
	type InjectResponse,
	InjectSink,
} from "./inject.js";
import type { RawRequest } from "./request.js";
import type { ResponseSink } from "./response.js";
import { PipelineBuilder, type RouteBuilder, type Start } from "./route-builder.js";
import {
	type AbstractRoute,
	type HttpMethod,
	httpMethods,
	type PipelineDefinition,
	type RouteDefinition,
	type RouteOptions,
} from "./route-definition.js";
import { joinPath, Router } from "./router.js";
import { type UpgradeHandler, UpgradeRegistry } from "./upgrade.js";

export interface AppOptions {
	environment: Environment;
	/** Prepended to every route path, e.g. `/api`. */
	prefix?: string;
	/** Largest accepted request body in bytes; default 1 MiB. Routes may override it. */
	bodyLimit?: number;
	/** Default: pino at `info`, silent in TEST. */
	logger?: Logger;
	/** One access-log line per request; default on outside TEST. */
	logRequests?: boolean;
	/**
	 * Where the access-log lines go; default: `logger`. An app whose redaction paths cannot match the line's fields
	 * (request id, method, path, status, duration: primitives the framework writes) may pass a child without
	 * redaction, which pino would otherwise run on every field of every line.
	 */
	accessLogger?: Logger;
	/** How long `close()` lets in-flight requests run, in milliseconds; default 10 s. */
	shutdownTimeout?: number;
	/**
	 * How long `close()` leaves idle keep-alive connections open, in milliseconds, so that a request a
	 * client is already sending on one is served (with `Connection: close`) instead of reset; default 1 s,
	 * never more than `shutdownTimeout`.
	 */
	shutdownGrace?: number;
	/** After an answer sent before the request body was read: how much of the rest is read and discarded before the connection is cut. */
	unreadBody?: Partial<UnreadBodyLimits>;
	/** Reverse proxies in front of the app whose `x-forwarded-for` is trusted for `request.ip`; default 0. */
	trustProxy?: number;
}

type AppServerHooks = ServerHooks<RouteDefinition>;
type ServerHookName = keyof AppServerHooks;
type HookName = RouteHookName | ServerHookName;
type HookFunction<N extends HookName> = N extends RouteHookName
	? RouteHooks[N]
	: N extends ServerHookName
		? AppServerHooks[N]
		: never;

/**
 * The response a socket is serving, stored on it by the request listener: one property write per
 * request, cheaper than a listener per response. The last one stays referenced until the next request
 * or the socket's close; shutdown only looks at those whose headers are not sent yet.
 */
const currentResponse = Symbol("currentResponse");
type TrackedSocket = Socket & { [currentResponse]?: ServerResponse };

/** What the router stores for one method + path. */
interface RouteEntry {
	route: CompiledRoute;
	path: string;
}

export class App {
	readonly environment: Environment;
	readonly logger: Logger;
	readonly prefix: string;
	/** Every declared route, in declaration order. */
	readonly routes: RouteDefinition[] = [];

	private readonly hooks: HookLists = emptyHookLists();
	private readonly answers: ErrorAnswer[] = [];
	private readonly serverHooks: { [K in ServerHookName]: AppServerHooks[K][] } = {
		onDeclareRoute: [],
		onReady: [],
		onClose: [],
	};
	private readonly bodyLimit: number;
	private readonly logRequests: boolean;
	private readonly accessLogger: Logger;
	private readonly shutdownTimeout: number;
	private readonly shutdownGrace: number;
	private readonly unreadBody: UnreadBodyLimits;
	private readonly trustProxy: number;
	private errorHandler: ErrorHandler;
	private extractErrorHandler: ExtractErrorHandler = defaultExtractErrorHandler;
	private router: Router<RouteEntry> | undefined;
	private fallback: CompiledRoute | undefined;
	private httpServer: Server | undefined;
	/** Open connections of the HTTP server, to mark the responses in flight when shutdown starts. */
	private readonly sockets = new Set<TrackedSocket>();
	/** Connections accepted so far: shutdown watches it to know when the kernel's accept queue is empty. */
	private accepted = 0;
	/** Set when the listener closes: from then on every answer carries `Connection: close`. */
	private sendingAway = false;
	private closing: Promise<void> | undefined;
	/** Open `text/event-stream` answers: shutdown ends them, since their clients would otherwise hold it to the deadline. */
	readonly eventStreams = new EventStreamRegistry();
	/** Handlers of upgrade requests (WebSocket …) by path; told to close at shutdown, when event streams end. */
	private readonly upgrades: UpgradeRegistry;

	constructor(options: AppOptions) {
		this.environment = options.environment;
		this.prefix = options.prefix ?? "";
		this.bodyLimit = options.bodyLimit ?? defaultBodyLimit;
		this.logger = options.logger ?? pino({ level: options.environment === "TEST" ? "silent" : "info" });
		this.logRequests = options.logRequests ?? options.environment !== "TEST";
		this.accessLogger = options.accessLogger ?? this.logger;
		this.shutdownTimeout = options.shutdownTimeout ?? 10_000;
		this.shutdownGrace = Math.min(options.shutdownGrace ?? 1_000, this.shutdownTimeout);
		this.unreadBody = { ...defaultUnreadBodyLimits, ...options.unreadBody };
		this.trustProxy = options.trustProxy ?? 0;
		if (!Number.isInteger(this.trustProxy) || this.trustProxy < 0)
			throw new DeclarationError("trustProxy must be a whole number of proxies (0 or more).");
		this.errorHandler = defaultErrorHandler(options.environment);
		this.upgrades = new UpgradeRegistry(this.logger, this.trustProxy);
	}

	/** Starts a route: `declareRoute("GET", "/users/{id}")`, then hooks, extract, steps and a handler. */
	declareRoute(method: HttpMethod, path: string | readonly string[], options: RouteOptions = {}): RouteBuilder<object> {
		return this.declareRouteFrom(method, path, options, []);
	}

	private readonly declareRouteFrom: DeclareRouteFrom = (method, path, options, prefix) => {
		if (!httpMethods.includes(method)) throw new DeclarationError(`Unknown HTTP method ${String(method)}.`);
		const paths = (typeof path === "string" ? [path] : [...path]).map((one) => joinPath(this.prefix, one));
		if (paths.length === 0) throw new DeclarationError(`${method}: a route needs at least one path.`);
		if (options.bodyLimit !== undefined && !(options.bodyLimit > 0))
			throw new DeclarationError(`${method} ${paths[0]}: bodyLimit must be positive.`);
		const builder = new PipelineBuilder(`${method} ${paths.join(", ")}`, {
			handler: (pipeline: PipelineDefinition, handler, responses) => {
				this.assertOpen(`${method} ${paths[0]}`);
				const route: RouteDefinition = {
					kind: "route",
					method,
					paths,
					options,
					pipelines: [...prefix, pipeline],
					handler,
					responses,
				};
				this.routes.push(route);
				for (const hook of this.serverHooks.onDeclareRoute) hook(route);
				return route;
			},
		});
		return builder as unknown as RouteBuilder<object>;
	};

	/** Starts an abstract route: a named prefix of steps shared by the routes declared from it. */
	declareAbstractRoute(name: string): Start<object, { kind: "abstract" }> {
		return createAbstractRoute(name, [], this.declareRouteFrom);
	}

	/** One abstract route that runs the given ones in order, exporting all their keys. */
	mergeAbstractRoutes<const A extends readonly AbstractRoute<any>[]>(name: string, routes: A) {
		return mergeAbstractRoutes(name, routes, this.declareRouteFrom);
	}

	addHook<N extends HookName>(name: N, hook: HookFunction<N>): this {
		if (typeof hook !== "function") throw new DeclarationError(`Hook ${name} must be a function.`);
		if ((routeHookNames as readonly string[]).includes(name)) {
			this.assertOpen(`addHook(${name})`);
			(this.hooks[name as RouteHookName] as unknown[]).push(hook);
		} else if (name in this.serverHooks) {
			(this.serverHooks[name as ServerHookName] as unknown[]).push(hook);
		} else {
			throw new DeclarationError(`Unknown hook "${name}".`);
		}
		return this;
	}

	/**
	 * Hands upgrade requests (`Connection: Upgrade`) to `path` to `handler`, outside the pipeline: no hook or step runs,
	 * the handler answers on the socket or takes it over. Requests to the path without an Upgrade header reach its
	 * declared routes as usual. At shutdown the handler is told to close, when open event streams are ended.
	 */
	onUpgrade(path: string, handler: UpgradeHandler): this {
		if (this.httpServer !== undefined) throw new DeclarationError(`onUpgrade(${path}): the app is already listening.`);
		if (typeof handler?.upgrade !== "function" || typeof handler.close !== "function")
			throw new DeclarationError(`onUpgrade(${path}): the handler needs upgrade() and close().`);
		this.upgrades.add(joinPath(this.prefix, path), handler);
		return this;
	}

	/** Replaces the answer to errors thrown by steps (after `onError` hooks). It must send. */
	setErrorHandler(handler: ErrorHandler): this {
		this.assertOpen("setErrorHandler");
		this.errorHandler = handler;
		return this;
	}

	/**
	 * Answers a class of errors the same way on every route (e.g. 503 when the database is down): tried after
	 * the `onError` hooks and before the error handler, declared in every route's contracts and in OpenAPI.
	 */
	answerError(answer: ErrorAnswer): this {
		this.assertOpen("answerError");
		if (!Number.isInteger(answer.code) || answer.code < 400 || answer.code > 599)
			throw new DeclarationError(`answerError(${answer.info}): the code must be a 4xx or 5xx status.`);
		this.answers.push(answer);
		return this;
	}

	/** The app-wide error answers (`answerError`), in the order they are tried. */
	get errorAnswers(): readonly ErrorAnswer[] {
		return this.answers;
	}

	/** Replaces the default 400 `TYPE_ERROR` answer of every route whose extract has no handler of its own. */
	setExtractErrorHandler(handler: ExtractErrorHandler): this {
		this.assertOpen("setExtractErrorHandler");
		this.extractErrorHandler = handler;
		return this;
	}

	private assertOpen(what: string): void {
		if (this.router !== undefined)
			throw new DeclarationError(
				`${what}: the app is already built; declare routes and hooks before ready(), listen() or inject().`,
			);
	}

	/** Compiles every route into its executor. Called by listen() and inject(); idempotent. */
	ready(): this {
		if (this.router !== undefined) return this;
		const settings: ExecutorSettings = {
			environment: this.environment,
			hooks: this.hooks,
			bodyLimit: this.bodyLimit,
			extractErrorHandler: this.extractErrorHandler,
			errorHandler: this.errorHandler,
			errorAnswers: this.errorAnswers,
			logger: this.logger,
			logRequests: this.logRequests,
			accessLogger: this.accessLogger,
			trustProxy: this.trustProxy,
			unreadBody: this.unreadBody,
			eventStreams: this.eventStreams,
		};
		const router = new Router<RouteEntry>();
		const compiled = this.routes.map((definition) => ({ definition, route: compileRoute(definition, settings) }));
		for (const { definition, route } of compiled) {
			for (const path of definition.paths) router.add(definition.method, path, { route, path });
		}
		// HEAD is answered for every GET route that has no HEAD route of its own.
		for (const { definition, route } of compiled) {
			if (definition.method !== "GET") continue;
			for (const path of definition.paths) if (!router.has("HEAD", path)) router.add("HEAD", path, { route, path });
		}
		this.fallback = compileRoute(
			{
				kind: "route",
				method: "GET",
				paths: [],
				options: {},
				pipelines: [],
				responses: [],
				handler: (_floor, response, request) => {
					const allowed = router.allowedMethods(request.path);
					if (allowed.length > 0) {
						return response
							.code(405)
							.info(FrameworkInfo.methodNotAllowed)
							.header("allow", allowed.join(", "))
							.send({
								error: FrameworkInfo.methodNotAllowed,
								message: `${request.method} is not allowed on ${request.path}.`,
								allowed,
							});
					}
					return response
						.code(404)
						.info(FrameworkInfo.notFound)
						.send({ error: FrameworkInfo.notFound, message: `No route for ${request.method} ${request.path}.` });
				},
			},
			settings,
		);
		this.router = router;
		return this;
	}

	/** Serves one request: the entry point of both the HTTP server and `inject`. */
	readonly handle = (raw: RawRequest, sink: ResponseSink): void | Promise<void> => {
		if (this.router === undefined) this.ready();
		const url = raw.url ?? "/";
		const mark = url.indexOf("?");
		const path = mark === -1 ? url : url.slice(0, mark);
		const search = mark === -1 ? "" : url.slice(mark + 1);
		const match = (this.router as Router<RouteEntry>).find(raw.method ?? "GET", path);
		if (match !== null) return match.store.route.execute(raw, sink, path, search, match.params, match.store.path);
		return (this.fallback as CompiledRoute).execute(raw, sink, path, search, {}, "");
	};

	/** Sends a request through the same executor as the server, without a socket. */
	async inject(request: InjectRequest): Promise<InjectResponse> {
		const sink = new InjectSink();
		const collected = collectResponse(sink);
		await this.handle(buildInjectedRequest(request), sink);
		return collected;
	}

	get server(): Server | undefined {
		return this.httpServer;
	}

	/** Starts the HTTP server; resolves with the bound address (port 0 picks a free one). */
	async listen(options: { host?: string; port?: number } = {}): Promise<{ host: string; port: number }> {
		if (this.httpServer !== undefined) throw new Error("The app is already listening.");
		this.ready();
		const upgrades = this.upgrades;
		const serverOptions = {
			keepAliveTimeout: 5_000,
			// Upgrades to paths nobody handles (an `Upgrade: h2c` from curl) are served as ordinary requests.
			shouldUpgradeCallback: (request: IncomingMessage) => upgrades.accepts(request),
		};
		const server = createServer(serverOptions, (request: IncomingMessage, response: ServerResponse) => {
			// Once the listener is closed every answer says `Connection: close`, and Node closes the socket once it is sent.
			if (this.sendingAway) response.shouldKeepAlive = false;
			else (request.socket as TrackedSocket)[currentResponse] = response;
			const done = this.handle(request, response);
			if (done instanceof Promise)
				done.catch((error) => this.logger.error({ err: error }, "unhandled failure while serving a request"));
		});
		server.on("connection", (socket: TrackedSocket) => {
			this.accepted++;
			this.sockets.add(socket);
			socket.once("close", () => this.sockets.delete(socket));
		});
		if (upgrades.size > 0) server.on("upgrade", (request, socket, head) => upgrades.dispatch(request, socket, head));
		this.httpServer = server;
		await new Promise<void>((resolve, reject) => {
			server.once("error", reject);
			server.listen(options.port ?? 3000, options.host ?? "127.0.0.1", () => {
				server.off("error", reject);
				resolve();
			});
		});
		const address = server.address() as AddressInfo;
		const bound = { host: address.address, port: address.port };
		for (const hook of this.serverHooks.onReady) await hook(bound);
		return bound;
	}

	/**
	 * Graceful shutdown, in this order: the connections already waiting in the listener's accept queue are
	 * taken (for at most `shutdownGrace`), then the listener closes (new connections are refused); from
	 * then on every answer, including those of requests already in flight, carries `Connection: close` and
	 * its socket is closed once it is sent; idle keep-alive sockets stay open for `shutdownGrace`, so a
	 * request a client already sent on one is served rather than reset, then they are closed; requests
	 * still running `shutdownTimeout` after close() are cut; then the `onClose` hooks run. Open event streams are ended
	 * when the listener closes (and any opened later at once), and upgrade handlers are told to close at that moment;
	 * sockets still open at `shutdownTimeout` (an upgraded one whose handler did not end it) are destroyed.
	 */
	close(): Promise<void> {
		this.closing ??= this.shutdown();
		return this.closing;
	}

	private async shutdown(): Promise<void> {
		const server = this.httpServer;
		if (server !== undefined) {
			const deadline = performance.now() + this.shutdownTimeout;
			await this.acceptQueuedConnections(this.shutdownGrace);
			// Their clients reconnect after the `retry:` hint, by then to an instance still listening.
			this.eventStreams.closeAll("shutdown");
			this.upgrades.closeAll();
			await this.closeServer(server, Math.max(0, deadline - performance.now()));
		}
		for (const hook of this.serverHooks.onClose) await hook();
	}

	/**
	 * A connection whose handshake the kernel completed waits in the listener's accept queue until the event
	 * loop accepts it, and its client may already have sent a request on it. Closing the listener resets
	 * every connection still queued: those requests would be lost. libuv accepts one connection per loop
	 * iteration, so a busy loop (PGlite runs queries on it) can leave many queued. Keep listening, answers
	 * still saying keep-alive so that no client is sent away to reconnect, until a whole loop iteration
	 * accepts nothing (its poll found the queue empty), or `bound` ms have passed.
	 */
	private acceptQueuedConnections(bound: number): Promise<void> {
		const until = performance.now() + bound;
		return new Promise<void>((resolve) => {
			const check = (seen: number) => {
				if (this.accepted === seen || performance.now() >= until) resolve();
				else setImmediate(check, this.accepted);
			};
			// The first hop ends the current iteration; each later one compares across one whole poll.
			setImmediate(() => setImmediate(check, this.accepted));
		});
	}

	private closeServer(server: Server, timeout: number): Promise<void> {
		// Answers not started yet go out with `Connection: close`; those already sent told the client to
		// keep the socket, which becomes idle afterwards and is closed after the grace.
		this.sendingAway = true;
		for (const socket of this.sockets) {
			const response = socket[currentResponse];
			if (response !== undefined && !response.headersSent) response.shouldKeepAlive = false;
		}
		return new Promise<void>((resolve) => {
			let httpClosed = false;
			let sweep: NodeJS.Timeout | undefined;
			// http.Server#close() also releases the timer that checks request timeouts, and closes the idle
			// connections: called once, at the end of the grace (or when everything closed before it).
			const closeHttp = () => {
				if (httpClosed) return;
				httpClosed = true;
				server.close();
			};
			const grace = setTimeout(
				() => {
					closeHttp();
					// Sockets whose answer had said keep-alive before shutdown become idle later: close them as they do.
					sweep = setInterval(() => server.closeIdleConnections(), 25);
					sweep.unref();
				},
				Math.min(this.shutdownGrace, timeout),
			);
			const deadline = setTimeout(() => {
				server.closeAllConnections();
				// What http.Server no longer tracks: sockets handed to an upgrade handler.
				for (const socket of this.sockets) socket.destroy();
			}, timeout);
			grace.unref();
			deadline.unref();
			/*
			 * net.Server#close stops listening and waits for the open connections to end, closing none.
			 * http.Server#close would also close the idle keep-alive ones at once (Node ≥ 19), racing the
			 * requests clients are sending on them: those clients would see a reset and no answer.
			 */
			// In the same tick as the marking above: no answer saying `Connection: close` leaves before the
			// listener is closed, so the new connection its client opens is refused, never queued then reset.
			NetServer.prototype.close.call(server, () => {
				clearTimeout(grace);
				clearTimeout(deadline);
				clearInterval(sweep);
				// Closed before the grace ended: release http.Server's timer too (its 'close' event fires again, unheard).
				closeHttp();
				resolve();
			});
		});
	}
}

export function createApp(options: AppOptions): App {
	return new App(options);
}
