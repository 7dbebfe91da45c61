// Contestant "node-http-minimal": nothing but the route's work on node:http — JSON parsed, fields checked by hand, no
// header beyond content-type and content-length. What a user would write instead of any framework.
import { createServer } from "node:http";

const hello = JSON.stringify({ hello: "world" });
const jsonType = "application/json; charset=utf-8";

function sendJson(response, status, payload) {
	response.writeHead(status, { "content-type": jsonType, "content-length": Buffer.byteLength(payload) });
	response.end(payload);
}

const invalid = (error) => JSON.stringify({ error });

function postUser(request, response, rawId) {
	let text = "";
	request.setEncoding("utf8");
	request.on("data", (chunk) => {
		text += chunk;
	});
	request.on("end", () => {
		const id = Number(rawId);
		if (rawId === "" || !Number.isInteger(id) || id <= 0) return sendJson(response, 400, invalid("user.invalid"));
		let body;
		try {
			body = JSON.parse(text);
		} catch {
			return sendJson(response, 400, invalid("body.invalid"));
		}
		if (typeof body !== "object" || body === null) return sendJson(response, 400, invalid("body.invalid"));
		const { name, age } = body;
		if (typeof name !== "string" || name.length < 2 || !Number.isInteger(age))
			return sendJson(response, 400, invalid("body.invalid"));
		sendJson(response, 200, JSON.stringify({ id, name, age }));
	});
}

const server = createServer({ keepAliveTimeout: 5_000 }, (request, response) => {
	const url = request.url ?? "/";
	const mark = url.indexOf("?");
	const path = mark === -1 ? url : url.slice(0, mark);
	if (request.method === "GET" && path === "/hello") return sendJson(response, 200, hello);
	if (request.method === "POST" && path.startsWith("/users/") && path.indexOf("/", 7) === -1)
		return postUser(request, response, path.slice(7));
	sendJson(response, 404, invalid("not.found"));
});

server.listen(Number(process.env.PORT ?? 3406), "127.0.0.1");
process.once("SIGTERM", () => server.close(() => process.exit(0)));
