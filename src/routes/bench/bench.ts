// Benchmark-only routes (registered when BENCH=1): the framework floor and one extract + checker + handler route.
import { z } from "zod";
import { type App, createChecker, IHaveSentThis } from "../../core/index.js";

/** Accepts positive user ids; what a real `userExist` would answer, without the database. */
export const userIdAccepted = createChecker("userIdAccepted").handler((id: number, output) =>
	Number.isInteger(id) && id > 0 ? output("user.valid", id) : output("user.invalid", id),
);

export function declareBenchRoutes(app: App): void {
	// Scenario 1: the cost of the framework around a constant answer.
	app
		.declareRoute("GET", "/hello")
		.handler(
			(_floor, response) => response.code(200).info("hello.sent").respond({ hello: "world" }),
			new IHaveSentThis(200, "hello.sent"),
		);

	// Scenario 2: coerced path param and validated body, one checker, an echo.
	app
		.declareRoute("POST", "/users/{id}")
		.extract({
			params: { id: z.coerce.number() },
			body: { name: z.string().min(2), age: z.number().int() },
		})
		.check(
			userIdAccepted,
			{
				input: (pickup) => pickup("id"),
				result: "user.valid",
				catch: (response, info) =>
					response.code(400).info(info).send({ error: info, message: "The user id must be a positive integer." }),
			},
			new IHaveSentThis(400, "user.invalid"),
		)
		.handler(
			({ pickup }, response) =>
				response
					.code(200)
					.info("user.echoed")
					.respond({ id: pickup("id"), name: pickup("name"), age: pickup("age") }),
			new IHaveSentThis(200, "user.echoed"),
		);
}
