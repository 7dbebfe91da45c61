// The benchmark scenarios: what each sends, which contestants serve it, and the answers checked before measuring.
//
// A scenario runs for a contestant only when every probe passes on that contestant. Scenarios 3 and 4 use
// routes built by other issues; until the app answers them, they are reported "skipped: route not available yet".

export const benchUser = { email: "bench@dofus-manager.local", password: "bench-bench-bench" };

const json = { "content-type": "application/json" };

/** Sends one request and returns status, headers and text body. */
export async function send(baseUrl, { method = "GET", path, headers = {}, body }) {
	const response = await fetch(baseUrl + path, { method, headers, body });
	return { status: response.status, headers: response.headers, text: await response.text() };
}

function parse(text) {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/** Probe helpers: each returns undefined when the answer is right, or what is wrong. */
const expectStatus = (status, answer) =>
	answer.status === status ? undefined : `expected ${status}, got ${answer.status}: ${answer.text.slice(0, 160)}`;
const expectJson = (status, expected) => (answer) =>
	expectStatus(status, answer) ??
	(JSON.stringify(parse(answer.text)) === JSON.stringify(expected)
		? undefined
		: `expected body ${JSON.stringify(expected)}, got ${answer.text.slice(0, 160)}`);

/** Logs the bench user in (POST /api/auth/login → 200 { accessToken, … }, the bench user has no 2FA) and returns the bearer token. */
async function login(baseUrl) {
	const answer = await send(baseUrl, {
		method: "POST",
		path: "/api/auth/login",
		headers: json,
		body: JSON.stringify(benchUser),
	});
	if (answer.status !== 200) return { reason: `login answered ${answer.status}: ${answer.text.slice(0, 160)}` };
	const token = parse(answer.text)?.accessToken;
	return typeof token === "string" ? { token } : { reason: "login answered no accessToken" };
}

const characterKeys = "accountId,classId,createdAt,id,level,name,portrait,serverId,updatedAt";

/** The first page of the bench user's 100 characters: 20 of them and the route's pagination. */
function checkCharacterPage(answer) {
	const body = parse(answer.text);
	if (body?.characters?.length !== 20)
		return `expected { characters: [20 characters] }, got ${answer.text.slice(0, 160)}`;
	// The same fields as the route sends, portrait included (postgres-raw runs the route's portraits query too).
	const keys = Object.keys(body.characters[0]).sort().join(",");
	if (keys !== characterKeys) return `expected a character with ${characterKeys}, got ${keys}`;
	const expected = { page: 1, limit: 20, total: 100, totalPages: 5 };
	return JSON.stringify(body.pagination) === JSON.stringify(expected)
		? undefined
		: `expected pagination ${JSON.stringify(expected)}, got ${JSON.stringify(body.pagination)}`;
}

export const scenarios = [
	{
		id: "hello",
		title: "1. GET /hello",
		contestants: ["dofus-manager", "dofus-manager-baseline", "fastify", "node-http-minimal", "node-http-same-bytes"],
		baselines: ["node-http-minimal", "node-http-same-bytes"],
		request: () => ({ method: "GET", path: "/hello" }),
		expectedStatus: 200,
		probes: () => [{ request: { path: "/hello" }, check: expectJson(200, { hello: "world" }) }],
	},
	{
		id: "users",
		title: "2. POST /users/{id}",
		contestants: ["dofus-manager", "dofus-manager-baseline", "fastify", "node-http-minimal", "node-http-same-bytes"],
		baselines: ["node-http-minimal", "node-http-same-bytes"],
		request: () => ({
			method: "POST",
			path: "/users/42",
			headers: json,
			body: JSON.stringify({ name: "Ecaflip", age: 12 }),
		}),
		expectedStatus: 200,
		probes: () => [
			{
				request: { method: "POST", path: "/users/42", headers: json, body: '{"name":"Ecaflip","age":12}' },
				check: expectJson(200, { id: 42, name: "Ecaflip", age: 12 }),
			},
			{
				request: { method: "POST", path: "/users/42", headers: json, body: '{"name":"E","age":12}' },
				check: (answer) => expectStatus(400, answer),
			},
			{
				request: { method: "POST", path: "/users/42", headers: json, body: '{"name":"Ecaflip","age":1.5}' },
				check: (answer) => expectStatus(400, answer),
			},
			{
				request: { method: "POST", path: "/users/abc", headers: json, body: '{"name":"Ecaflip","age":12}' },
				check: (answer) => expectStatus(400, answer),
			},
			{
				request: { method: "POST", path: "/users/0", headers: json, body: '{"name":"Ecaflip","age":12}' },
				check: (answer) => expectStatus(400, answer),
			},
		],
	},
	{
		id: "characters",
		title: "3. GET /api/characters (10k rows, bearer)",
		// Our app only, on a database seeded with 10,000 characters; postgres-raw issues the same queries without the framework.
		contestants: ["dofus-manager-pglite-10k", "dofus-manager-postgres-10k", "postgres-raw"],
		baselines: ["postgres-raw"],
		needsSeed: true,
		/** Asked of the plain app first, so nothing is seeded while the route does not exist. */
		routeExists: async (appUrl) => (await send(appUrl, { path: "/api/characters?page=1&limit=20" })).status !== 404,
		// postgres-raw has no login route: its token comes from the app serving the same PostgreSQL database.
		setup: async (baseUrl, contestant, urls) => {
			const result = await login(contestant === "postgres-raw" ? urls["dofus-manager-postgres-10k"] : baseUrl);
			return result.token === undefined ? { skip: result.reason } : { token: result.token };
		},
		request: ({ token }) => ({
			method: "GET",
			path: "/api/characters?page=1&limit=20",
			headers: { authorization: `Bearer ${token}` },
		}),
		expectedStatus: 200,
		probes: ({ token }) => [
			{
				request: { path: "/api/characters?page=1&limit=20", headers: { authorization: `Bearer ${token}` } },
				check: (answer) => expectStatus(200, answer) ?? checkCharacterPage(answer),
			},
			{ request: { path: "/api/characters?page=1&limit=20" }, check: (answer) => expectStatus(401, answer) },
		],
	},
	{
		id: "classes",
		title: "4a. GET /api/classes",
		contestants: ["dofus-manager"],
		baselines: [],
		routeExists: async (appUrl) => (await send(appUrl, { path: "/api/classes" })).status !== 404,
		request: () => ({ method: "GET", path: "/api/classes" }),
		expectedStatus: 200,
		probes: () => [
			{
				request: { path: "/api/classes" },
				check: (answer) =>
					expectStatus(200, answer) ??
					(parse(answer.text)?.classes?.length === 19
						? undefined
						: `expected { classes: [19 classes] }, got ${answer.text.slice(0, 160)}`) ??
					(answer.headers.get("etag") ? undefined : "expected an ETag header"),
			},
		],
	},
	{
		id: "classes-cached",
		title: "4b. GET /api/classes (If-None-Match)",
		contestants: ["dofus-manager"],
		baselines: [],
		routeExists: async (appUrl) => (await send(appUrl, { path: "/api/classes" })).status !== 404,
		setup: async (baseUrl) => {
			const etag = (await send(baseUrl, { path: "/api/classes" })).headers.get("etag");
			return etag ? { etag } : { skip: "no ETag on GET /api/classes" };
		},
		request: ({ etag }) => ({ method: "GET", path: "/api/classes", headers: { "if-none-match": etag } }),
		expectedStatus: 304,
		probes: ({ etag }) => [
			{
				request: { path: "/api/classes", headers: { "if-none-match": etag } },
				check: (answer) =>
					expectStatus(304, answer) ??
					(answer.text === "" && answer.headers.get("etag") === etag
						? undefined
						: "expected an empty 304 carrying the ETag"),
			},
		],
	},
];
