// Routes over the caller's own sessions: logout, logout everywhere, list, and revoke one.
import { z } from "zod";
import type { App } from "../../core/index.js";
import type { IdentityRouteDependencies } from "../guards.js";
import { sessionAnswers } from "./answers.js";
import { clearSessionCookie } from "./session-answer.js";

export function declareSessionRoutes(_app: App, { db, services, guards }: IdentityRouteDependencies): void {
	const { sessions, settings } = services;
	const { authenticatedRoute } = guards;

	authenticatedRoute.declareRoute("POST", "/api/auth/logout").handler(async ({ pickup }, response) => {
		await sessions.revoke(pickup("session").id, "logout");
		clearSessionCookie(response, settings);
		sessionAnswers.closed.send(response);
	}, sessionAnswers.closed);

	authenticatedRoute.declareRoute("POST", "/api/auth/logout-all").handler(async ({ pickup }, response) => {
		await sessions.revokeAll(db, pickup("user").id, "logout-all");
		clearSessionCookie(response, settings);
		sessionAnswers.allClosed.send(response);
	}, sessionAnswers.allClosed);

	authenticatedRoute.declareRoute("GET", "/api/auth/sessions").handler(async ({ pickup }, response) => {
		const current = pickup("session").id;
		const list = await sessions.listForUser(pickup("user").id);
		sessionAnswers.list.send(response, {
			sessions: list.map((session) => ({ ...session, current: session.id === current })),
		});
	}, sessionAnswers.list);

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
				if (!revoked) return sessionAnswers.notFound.send(response);
				sessionAnswers.closed.send(response);
			},
			sessionAnswers.closed,
			sessionAnswers.notFound,
		);
}
