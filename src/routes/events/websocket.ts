// GET /api/ws: the WebSocket of the real-time events. The upgrade is admitted here, in the order a REST request is —
// credential, then query, then the hub (rooms, limits) — and refused with a plain HTTP answer before any handshake;
// admitted, the socket is the WebSocket transport's. A plain GET is a declared route answering 426.
import type { App, Refusal, UpgradeRequest } from "../../core/index.js";
import { writeUpgradeAnswer } from "../../core/index.js";
import type { RealtimeHub } from "../../realtime/hub.js";
import { type WebSocketSettings, WebSocketTransport } from "../../realtime/websocket.js";
import { eventAnswers } from "./answers.js";
import { webSocketQuery } from "./schemas.js";
import type { UpgradeCredentials } from "./upgrade-credentials.js";

export interface WebSocketRouteDependencies {
	/** The started hub of this instance; without one every upgrade answers 503. */
	realtime: RealtimeHub | undefined;
	identify: UpgradeCredentials;
	settings: WebSocketSettings;
}

export function declareWebSocketRoute(app: App, { realtime, identify, settings }: WebSocketRouteDependencies): void {
	const { upgradeRequired, roomNotFound, tooManyConnections, unavailable } = eventAnswers;

	app.declareRoute("GET", "/api/ws").handler((_floor, response) => {
		response.header("upgrade", "websocket");
		return upgradeRequired.send(response);
	}, upgradeRequired);

	const transport = new WebSocketTransport(settings, app.logger.child({ component: "websocket" }));
	app.onUpgrade("/api/ws", {
		async upgrade(request, socket, head) {
			const refuse = (refusal: Refusal, headers?: Record<string, string>, message = refusal.message) =>
				writeUpgradeAnswer(
					socket,
					{
						status: refusal.code,
						info: refusal.info,
						body: { error: refusal.info, message },
						...(headers && { headers }),
					},
					request.id,
				);
			if (!isWebSocketHandshake(request)) return refuse(upgradeRequired, { upgrade: "websocket" });
			if (realtime === undefined || transport.closing) return refuse(unavailable, { "retry-after": "5" });

			const identity = await identify(request);
			if (identity.status === "refused") return refuse(identity.refusal, identity.headers);
			const query = webSocketQuery.safeParse(request.query);
			if (!query.success) {
				const issue = query.error.issues[0];
				const info = `TYPE_ERROR.query.${String(issue?.path[0] ?? "")}`;
				return writeUpgradeAnswer(
					socket,
					{ status: 400, info, body: { error: info, message: issue?.message ?? "Invalid query." } },
					request.id,
				);
			}

			const sink = transport.createSink();
			const outcome = await realtime.connect({
				userId: identity.userId,
				sessionId: identity.sessionId,
				rooms: query.data.rooms ?? null,
				since: query.data.since ?? null,
				sink,
			});
			if (outcome.status === "room-hidden") return refuse(roomNotFound);
			if (outcome.status === "user-limit") return refuse(tooManyConnections);
			if (outcome.status !== "connected") return refuse(unavailable, { "retry-after": "5" });
			const { connection } = outcome;
			// The client left, or shutdown began, while the hub was connecting it.
			if (socket.destroyed) return connection.close("client-closed");
			if (transport.closing) {
				connection.close("shutdown");
				return refuse(unavailable, { "retry-after": "5" });
			}
			transport.accept(request.raw, socket, head, connection, sink);
		},
		close: () => transport.closeAll(),
	});
}

/** What ws would refuse with a bare 400: anything but a GET asking for `websocket`. */
function isWebSocketHandshake(request: UpgradeRequest): boolean {
	const upgrade = request.headers.upgrade;
	return request.method === "GET" && typeof upgrade === "string" && upgrade.toLowerCase() === "websocket";
}
