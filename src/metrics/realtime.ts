// Open real-time connections (SSE and WebSocket) of this instance's hub.
import type { Registry } from "prom-client";
import type { RealtimeHub } from "../realtime/hub.js";
import { registerCollected } from "./collected.js";

export function recordRealtimeMetrics(registry: Registry, hub: Pick<RealtimeHub, "connectionCount">): void {
	registerCollected(registry, {
		name: "dofus_manager_realtime_connections",
		help: "Open real-time connections (event streams and WebSockets) held by this instance.",
		type: "gauge",
		collect: () => [{ value: hub.connectionCount }],
	});
}
