// Benchmark-only routes (registered when BENCH=1): the framework floor and one extract + checker + handler route.
import { z } from "zod";
import { type App, createChecker } from "../../core/index.js";
import { benchAnswers } from "./answers.js";

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
			benchAnswers.hello,
		);

	// Scenario 2: coerced path param and validated body, one checker, an echo.
	app
		.declareRoute("POST", "/users/{id}")
		.extract({
			params: { id: z.coerce.number() },
			body: { name: z.string().min(2), age: z.number().int() },
		})
		.check(userIdAccepted, { input: (pickup) => pickup("id"), result: "user.valid", catch: benchAnswers.idInvalid })
		.handler(
			({ pickup }, response) =>
				response
					.code(benchAnswers.echoed.code)
					.info(benchAnswers.echoed.info)
					.respond({ id: pickup("id"), name: pickup("name"), age: pickup("age") }),
			benchAnswers.echoed,
		);
}
