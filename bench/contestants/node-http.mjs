// Contestant "node-http-same-bytes": a hand-written node:http server doing the app's observable work (request id and
// `info` header on every answer): what the framework costs over the same features.
import { createServer } from "node:http";
import { userBody, userParams } from "./schemas.mjs";

const hello = JSON.stringify({ hello: "world" });
const jsonType = "application/json; charset=utf-8";

// The same observable work as the app: every answer echoes (or makes) a request id and names its
// outcome in an `info` header, so all contestants put the same bytes on the wire.
const idPrefix = Math.random().toString(36).slice(2, 10);
let idCounter = 0;
function requestId(request) {
	const given = request.headers["x-request-id"];
	return typeof given === "string" && /^[\w.:-]{1,128}$/.test(given)
		? given
		: `${idPrefix}-${(++idCounter).toString(36)}`;
}

function sendJson(response, status, body, info) {
	const payload = typeof body === "string" ? body : JSON.stringify(body);
	response.writeHead(status, {
		"x-request-id": requestId(response.req),
		info,
		"content-type": jsonType,
		"content-length": Buffer.byteLength(payload),
	});
	response.end(payload);
}

// As tight as a hand-written server gets: a string accumulator, no Buffer copies.
function readBody(request) {
	return new Promise((resolve, reject) => {
		let text = "";
		request.setEncoding("utf8");
		request.on("data", (chunk) => (text += chunk));
		request.on("end", () => resolve(text));
		request.on("error", reject);
	});
}

async function postUser(request, response, rawId) {
	const params = userParams.safeParse({ id: rawId });
	if (!params.success)
		return sendJson(response, 400, { error: "TYPE_ERROR", issues: params.error.issues }, "TYPE_ERROR.params.id");
	let parsed;
	try {
		parsed = JSON.parse(await readBody(request));
	} catch {
		return sendJson(response, 400, { error: "BODY_PARSE_ERROR", message: "The body is not JSON." }, "BODY_PARSE_ERROR");
	}
	const body = userBody.safeParse(parsed);
	if (!body.success)
		return sendJson(response, 400, { error: "TYPE_ERROR", issues: body.error.issues }, "TYPE_ERROR.body");
	const id = params.data.id;
	if (!Number.isInteger(id) || id <= 0) return sendJson(response, 400, { error: "user.invalid" }, "user.invalid");
	sendJson(response, 200, { id, name: body.data.name, age: body.data.age }, "user.echoed");
}

const server = createServer({ keepAliveTimeout: 5_000 }, (request, response) => {
	const url = request.url ?? "/";
	const mark = url.indexOf("?");
	const path = mark === -1 ? url : url.slice(0, mark);
	if (request.method === "GET" && path === "/hello") return sendJson(response, 200, hello, "hello.sent");
	if (request.method === "POST" && path.startsWith("/users/") && path.indexOf("/", 7) === -1) {
		postUser(request, response, decodeURIComponent(path.slice(7))).catch(() =>
			sendJson(response, 500, { error: "INTERNAL_SERVER_ERROR" }, "INTERNAL_SERVER_ERROR"),
		);
		return;
	}
	sendJson(response, 404, { error: "NOT_FOUND" }, "NOT_FOUND");
});

server.listen(Number(process.env.PORT ?? 3401), "127.0.0.1");
process.once("SIGTERM", () => server.close(() => process.exit(0)));
