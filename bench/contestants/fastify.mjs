// Contestant "fastify": Fastify 5 with fastify-type-provider-zod (zod 4), the framework a user would pick instead.
import Fastify from "fastify";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import { userBody, userParams } from "./schemas.mjs";

// The same observable work as the app: a request id echoed (or made) and an `info` header per answer.
const idPrefix = Math.random().toString(36).slice(2, 10);
let idCounter = 0;
const app = Fastify({
	logger: false,
	requestIdHeader: "x-request-id",
	genReqId: () => `${idPrefix}-${(++idCounter).toString(36)}`,
});
app.setValidatorCompiler(validatorCompiler);
app.setSerializerCompiler(serializerCompiler);
app.addHook("onSend", async (request, reply) => {
	reply.header("x-request-id", request.id);
});

app.get("/hello", async (_request, reply) => {
	reply.header("info", "hello.sent");
	return { hello: "world" };
});

app.post("/users/:id", { schema: { params: userParams, body: userBody } }, async (request, reply) => {
	const { id } = request.params;
	if (!Number.isInteger(id) || id <= 0)
		return reply.code(400).header("info", "user.invalid").send({ error: "user.invalid" });
	reply.header("info", "user.echoed");
	return { id, name: request.body.name, age: request.body.age };
});

await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT ?? 3402) });
process.once("SIGTERM", () => app.close().then(() => process.exit(0)));
