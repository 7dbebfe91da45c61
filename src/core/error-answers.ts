// Error answers: an app-wide answer to a class of errors any step may throw (e.g. 503 when a backing service is down), declared once.

import { type Contract, IHaveSentThis } from "./contracts.js";
import type { ErrorHandler } from "./executor.js";

/**
 * One answer the app gives, on every route, to the errors `matches` recognises: `app.answerError({ … })`.
 * The framework sends it (after the `onError` hooks, before the error handler) as
 * `code` + `info` + `headers` + `{ error: info, message, requestId }`, and declares it like its own answers:
 * every route's contracts accept it and the OpenAPI document lists it. Nothing of the error leaves in
 * the answer; it is logged with the request id, at `warn` unless the answer says otherwise.
 */
export interface ErrorAnswer {
	readonly code: number;
	/** The `info` header and the body's `error`, e.g. `DATABASE_UNAVAILABLE`. */
	readonly info: string;
	/** Said to the client, the same for every error of the class. */
	readonly message: string;
	/** Sent with the answer, e.g. `{ "retry-after": "1" }`; listed in the OpenAPI document. */
	readonly headers?: Readonly<Record<string, string>>;
	/**
	 * The level the answered error is logged at: `warn` by default, for a backing service that failed. A client's
	 * mistake (a host that names nothing) is no operator's concern: `debug` keeps it out of production logs.
	 */
	readonly logLevel?: "warn" | "info" | "debug";
	/** True for the errors this answer is for; it must not throw. */
	matches(error: unknown): boolean;
}

/** The contracts the answers add to every route. */
export function errorAnswerContracts(answers: readonly ErrorAnswer[]): Contract[] {
	return answers.map((answer) => new IHaveSentThis(answer.code, answer.info));
}

/** The error handler the executor runs: the first answer that matches, else the app's error handler. */
export function answeringErrors(answers: readonly ErrorAnswer[], fallback: ErrorHandler): ErrorHandler {
	if (answers.length === 0) return fallback;
	return (request, response, error) => {
		const answer = answers.find((candidate) => candidate.matches(error));
		if (answer === undefined) return fallback(request, response, error);
		request.logger[answer.logLevel ?? "warn"](
			{ info: answer.info, err: error },
			`request answered ${answer.code} ${answer.info}`,
		);
		return response
			.code(answer.code)
			.info(answer.info)
			.headers({ ...answer.headers })
			.send({ error: answer.info, message: answer.message, requestId: request.id });
	};
}
