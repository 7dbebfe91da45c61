// Routes over the caller's own sessions: logout, logout everywhere, list, and revoke one.
import { z } from "zod";
import { type App, IHaveSentThis } from "../../core/index.js";
import { fail, refusal } from "../../responses.js";
import type { IdentityRouteDependencies } from "../guards.js";
import { sessionItemSchema } from "../schemas.js";
import { clearSessionCookie } from "./session-answer.js";

const sessionListSchema = z.object({ sessions: z.array(sessionItemSchema) });

export function declareSessionRoutes(_app: App, { db, services, guards }: IdentityRouteDependencies): void {
	const { sessions, settings } = services;
	const { authenticatedRoute } = guards;

	authenticatedRoute.declareRoute("POST", "/api/auth/logout").handler(async ({ pickup }, response) => {
		await sessions.revoke(pickup("session").id, "logout");
		clearSessionCookie(response, settings).code(204).info("session.closed").send();
	}, new IHaveSentThis(204, "session.closed"));

	authenticatedRoute.declareRoute("POST", "/api/auth/logout-all").handler(async ({ pickup }, response) => {
		await sessions.revokeAll(db, pickup("user").id, "logout-all");
		clearSessionCookie(response, settings).code(204).info("session.all_closed").send();
	}, new IHaveSentThis(204, "session.all_closed"));

	authenticatedRoute.declareRoute("GET", "/api/auth/sessions").handler(
		async ({ pickup }, response) => {
			const current = pickup("session").id;
			const list = await sessions.listForUser(pickup("user").id);
			response
				.code(200)
				.info("session.list")
				.send({ sessions: list.map((session) => ({ ...session, current: session.id === current })) });
		},
		new IHaveSentThis(200, "session.list", sessionListSchema),
	);

	authenticatedRoute
		.declareRoute("DELETE", "/api/auth/sessions/{sessionId}")
		.extract({
			params: {
				sessionId: z.coerce
					.number()
					.int()
					.positive()
					.max(2 ** 31 - 1),
			},
		})
		.handler(
			async ({ pickup }, response) => {
				// Scoped to the caller: someone else's session id answers exactly like an unknown one.
				const revoked = await sessions.revokeOwn(pickup("user").id, pickup("sessionId"));
				if (!revoked) fail(response, 404, "session.notfound", "No such session.");
				response.code(204).info("session.closed").send();
			},
			new IHaveSentThis(204, "session.closed"),
			refusal(404, "session.notfound"),
		);
}
