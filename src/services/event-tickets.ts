// WebSocket tickets: short-lived, single-use stand-ins for a session's credential, which a browser can put in the URL
// of a WebSocket (it can set no Authorization header there), so the access token itself never appears in a URL.
import { and, eq, lte } from "drizzle-orm";
import type { Database } from "../db/index.js";
import { realtimeTickets, sessions } from "../db/schema/index.js";
import type { Clock } from "./settings.js";
import { generateToken, hashToken, looksLikeToken } from "./tokens.js";

/** How long a ticket may wait before it is used: long enough to open a socket, too short to be worth stealing. */
export const eventTicketTtlMs = 30_000;

export interface IssuedTicket {
	ticket: string;
	expiresAt: Date;
}

export type TicketRedemption =
	| { status: "valid"; userId: number; sessionId: number }
	/** Unknown or already used: the two cannot be told apart once a ticket is consumed. */
	| { status: "invalid" | "expired" }
	/** The ticket was fine but the session it was issued to ended since. */
	| { status: "session-revoked" | "session-expired" };

export function createEventTicketService(db: Database, now: Clock) {
	return {
		/** A new ticket for the session; expired tickets (anyone's) are deleted on the way, through their index. */
		async issue(session: { id: number; userId: number }): Promise<IssuedTicket> {
			const at = now();
			const ticket = generateToken();
			const expiresAt = new Date(at.getTime() + eventTicketTtlMs);
			await db.delete(realtimeTickets).where(lte(realtimeTickets.expiresAt, at));
			await db
				.insert(realtimeTickets)
				.values({ tokenHash: hashToken(ticket), userId: session.userId, sessionId: session.id, expiresAt });
			return { ticket, expiresAt };
		},

		/**
		 * Consumes the ticket: one `delete … returning`, so two sockets racing with one ticket cannot both get it. The
		 * session it was issued to must still be live (not revoked, access token not expired).
		 */
		async redeem(ticket: string): Promise<TicketRedemption> {
			if (!looksLikeToken(ticket)) return { status: "invalid" };
			const [row] = await db
				.delete(realtimeTickets)
				.where(eq(realtimeTickets.tokenHash, hashToken(ticket)))
				.returning({
					userId: realtimeTickets.userId,
					sessionId: realtimeTickets.sessionId,
					expiresAt: realtimeTickets.expiresAt,
				});
			if (row === undefined) return { status: "invalid" };
			const at = now();
			if (row.expiresAt.getTime() <= at.getTime()) return { status: "expired" };
			const [session] = await db
				.select({ revokedAt: sessions.revokedAt, accessExpiresAt: sessions.accessExpiresAt })
				.from(sessions)
				.where(and(eq(sessions.id, row.sessionId), eq(sessions.userId, row.userId)));
			if (session === undefined || session.revokedAt !== null) return { status: "session-revoked" };
			if (session.accessExpiresAt.getTime() <= at.getTime()) return { status: "session-expired" };
			return { status: "valid", userId: row.userId, sessionId: row.sessionId };
		},
	};
}

export type EventTicketService = ReturnType<typeof createEventTicketService>;
