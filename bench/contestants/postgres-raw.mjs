// Contestant "postgres-raw" (scenario 3, PostgreSQL only): node:http + postgres.js issuing the queries of
// GET /api/characters by hand, to show what share of the cost is the framework's. Keep its SQL in step with the route
// (src/services/sessions.ts `authenticate`, src/services/characters.ts `list`, src/services/pictures.ts `portraitsOf`) and its answer in step with the route's.
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import postgres from "postgres";

const sql = postgres(process.env.DATABASE_URL, { max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });

// The same observable work as the app: a request id and an `info` header on every answer.
const idPrefix = Math.random().toString(36).slice(2, 10);
let idCounter = 0;
function requestId(request) {
	const given = request.headers["x-request-id"];
	return typeof given === "string" && /^[\w.:-]{1,128}$/.test(given)
		? given
		: `${idPrefix}-${(++idCounter).toString(36)}`;
}

function sendJson(response, status, body, info) {
	const payload = JSON.stringify(body);
	response.writeHead(status, {
		"x-request-id": requestId(response.req),
		info,
		"content-type": "application/json; charset=utf-8",
		"content-length": Buffer.byteLength(payload),
	});
	response.end(payload);
}

const tokenPattern = /^[A-Za-z0-9_-]{43}$/;
const lastSeenPrecisionMs = 60_000;

/** The app's `authenticated` process: Bearer token → SHA-256 → the session row and its user; revoked, expired, last seen. */
async function authenticate(authorization) {
	if (typeof authorization !== "string") return { info: "session.missing" };
	const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
	if (match === null) return { info: "session.invalid" };
	if (!tokenPattern.test(match[1])) return { info: "session.invalid" };
	const tokenHash = createHash("sha256").update(match[1], "utf8").digest("hex");
	const [row] = await sql`
		select s.id, s.user_id, s.access_expires_at, s.created_at, s.last_seen_at, s.revoked_at,
			u.id as uid, u.email, u.display_name, u.locale, u.totp_enabled_at, u.created_at as user_created_at
		from sessions s inner join users u on u.id = s.user_id
		where s.access_token_hash = ${tokenHash}`;
	if (row === undefined) return { info: "session.invalid" };
	if (row.revoked_at !== null) return { info: "session.revoked" };
	const now = Date.now();
	if (row.access_expires_at.getTime() <= now) return { info: "session.expired" };
	if (now - row.last_seen_at.getTime() >= lastSeenPrecisionMs)
		await sql`update sessions set last_seen_at = ${new Date(now)} where id = ${row.id}`;
	return { userId: row.user_id };
}

/** The page's portraits in one more query, as the route does (src/services/pictures.ts `portraitsOf`). */
async function portraitsOf(characterIds) {
	const found = new Map();
	if (characterIds.length === 0) return found;
	const rows = await sql`
		select character_id, id, purpose, variant_of from files
		where character_id in ${sql(characterIds)} and purpose in ('portrait', 'portrait-thumbnail') and state = 'stored'`;
	const thumbnails = new Map(
		rows.filter((row) => row.purpose === "portrait-thumbnail").map((row) => [row.variant_of, row.id]),
	);
	for (const row of rows) {
		if (row.purpose !== "portrait" || row.character_id === null) continue;
		const thumbnail = thumbnails.get(row.id) ?? row.id;
		found.set(row.character_id, {
			fileId: row.id,
			url: `/api/files/${row.id}`,
			thumbnailUrl: `/api/files/${thumbnail}`,
		});
	}
	return found;
}

/** The route's main query: the page and, through a window count, the total (a plain count only past the last page). */
async function listCharacters(userId, page, limit) {
	const rows = await sql`
		select c.id, c.account_id as "accountId", c.name, c.level, c.class_id as "classId", c.server_id as "serverId",
			c.created_at as "createdAt", c.updated_at as "updatedAt", count(*) over () as total
		from characters c inner join game_accounts a on a.id = c.account_id
		where a.user_id = ${userId}
		order by lower(c.name) asc, c.id asc
		limit ${limit} offset ${(page - 1) * limit}`;
	let total = rows.length === 0 ? 0 : Number(rows[0].total);
	if (rows.length === 0 && page > 1) {
		const [counted] =
			await sql`select count(*)::int as total from characters c inner join game_accounts a on a.id = c.account_id where a.user_id = ${userId}`;
		total = counted.total;
	}
	const portraits = await portraitsOf(rows.map((row) => row.id));
	const characters = rows.map(({ total: _total, ...character }) => ({
		...character,
		portrait: portraits.get(character.id) ?? null,
	}));
	return { characters, pagination: { page, limit, total, totalPages: Math.ceil(total / limit) } };
}

const server = createServer({ keepAliveTimeout: 5_000 }, async (request, response) => {
	try {
		const url = new URL(request.url ?? "/", "http://localhost");
		if (request.method !== "GET" || url.pathname !== "/api/characters")
			return sendJson(response, 404, { error: "NOT_FOUND" }, "NOT_FOUND");
		const identity = await authenticate(request.headers.authorization);
		if (identity.userId === undefined)
			return sendJson(response, 401, { error: identity.info, message: "Authentication is required." }, identity.info);
		const page = Number(url.searchParams.get("page") ?? 1);
		const limit = Number(url.searchParams.get("limit") ?? 20);
		if (!Number.isInteger(page) || page < 1 || !Number.isInteger(limit) || limit < 1 || limit > 100) {
			return sendJson(response, 400, { error: "TYPE_ERROR" }, "TYPE_ERROR.query");
		}
		sendJson(response, 200, await listCharacters(identity.userId, page, limit), "character.list");
	} catch (error) {
		sendJson(
			response,
			500,
			{ error: "INTERNAL_SERVER_ERROR", message: String(error?.message ?? error) },
			"INTERNAL_SERVER_ERROR",
		);
	}
});

server.listen(Number(process.env.PORT ?? 3405), "127.0.0.1");
process.once("SIGTERM", () => server.close(() => sql.end().then(() => process.exit(0))));
