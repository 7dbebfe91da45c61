// Contestant "fastify": Fastify 5 with fastify-type-provider-zod (zod 4) in its default configuration (no logger, no
// extra header): the framework a user would pick instead, as they would start with it.
import Fastify from "fastify";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import { userBody, userParams } from "./schemas.mjs";

const app = Fastify();
app.setValidatorCompiler(validatorCompiler);
app.setSerializerCompiler(serializerCompiler);

app.get("/hello", async () => ({ hello: "world" }));

app.post("/users/:id", { schema: { params: userParams, body: userBody } }, async (request, reply) => {
	const { id } = request.params;
	if (!Number.isInteger(id) || id <= 0) return reply.code(400).send({ error: "user.invalid" });
	return { id, name: request.body.name, age: request.body.age };
});

await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT ?? 3402) });
process.once("SIGTERM", () => app.close().then(() => process.exit(0)));
