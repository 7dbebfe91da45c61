// Contestant "postgres-raw" (scenario 3, PostgreSQL only): node:http + postgres.js issuing the queries of
// GET /api/characters by hand, to show what share of the cost is the framework's. Keep its SQL in step with the route.
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import postgres from "postgres";

const sql = postgres(process.env.DATABASE_URL, { max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });

function sendJson(response, status, body) {
	const payload = JSON.stringify(body);
	response.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(payload) });
	response.end(payload);
}

/** The session lookup of the bearer token: mirror the app's authentication process. */
async function authenticate(authorization) {
	if (typeof authorization !== "string" || !authorization.startsWith("Bearer ")) return undefined;
	const tokenHash = createHash("sha256").update(authorization.slice(7)).digest("hex");
	const [session] = await sql`select user_id from sessions where token_hash = ${tokenHash} and expires_at > now()`;
	return session?.user_id;
}

async function listCharacters(userId, page, limit) {
	const [items, [{ total }]] = await Promise.all([
		sql`select c.id, c.name, c.level, c.class_id as "classId", c.server_id as "serverId", c.account_id as "accountId"
			from characters c join game_accounts a on a.id = c.account_id
			where a.user_id = ${userId} order by c.id limit ${limit} offset ${(page - 1) * limit}`,
		sql`select count(*)::int as total from characters c join game_accounts a on a.id = c.account_id where a.user_id = ${userId}`,
	]);
	return { items, page, limit, total };
}

const server = createServer({ keepAliveTimeout: 5_000 }, async (request, response) => {
	try {
		const url = new URL(request.url ?? "/", "http://localhost");
		if (request.method !== "GET" || url.pathname !== "/api/characters") return sendJson(response, 404, { error: "NOT_FOUND" });
		const userId = await authenticate(request.headers.authorization);
		if (userId === undefined) return sendJson(response, 401, { error: "session.missing" });
		const page = Number(url.searchParams.get("page") ?? 1);
		const limit = Number(url.searchParams.get("limit") ?? 20);
		sendJson(response, 200, await listCharacters(userId, page, limit));
	} catch (error) {
		sendJson(response, 500, { error: "INTERNAL_SERVER_ERROR", message: String(error?.message ?? error) });
	}
});

server.listen(Number(process.env.PORT ?? 3405), "127.0.0.1");
process.once("SIGTERM", () => server.close(() => sql.end().then(() => process.exit(0))));
