// `expect(response).toAnswer(404, "character.notfound")`: the status and the info of an injected answer,
// with the body in the failure message (where a WHAT_WAS_SENT_ERROR explains what went wrong).
import { expect } from "vitest";

interface Answered {
	statusCode: number;
	info: string | undefined;
	body: string;
}

function isAnswered(value: unknown): value is Answered {
	return (
		typeof value === "object" &&
		value !== null &&
		typeof (value as Answered).statusCode === "number" &&
		typeof (value as Answered).body === "string"
	);
}

/** The body as the failure message shows it: pretty JSON when it is JSON, cut at 2000 characters. */
function shown(body: string): string {
	let text = body;
	try {
		text = JSON.stringify(JSON.parse(body), null, 2);
	} catch {
		// Not JSON: shown as it is.
	}
	return text.length > 2000 ? `${text.slice(0, 2000)}…` : text || "(empty)";
}

expect.extend({
	toAnswer(received: unknown, code: number, info?: string) {
		if (!isAnswered(received)) {
			return { pass: false, message: () => "toAnswer expects an injected response (app.inject(...))." };
		}
		const pass = received.statusCode === code && (info === undefined || received.info === info);
		const wanted = info === undefined ? `${code}` : `${code} ${info}`;
		const got = `${received.statusCode} ${received.info ?? "(no info)"}`;
		return {
			pass,
			actual: got,
			expected: wanted,
			message: () =>
				pass
					? `expected the answer not to be ${wanted}`
					: `expected the answer ${wanted}, got ${got}, with the body:\n${shown(received.body)}`,
		};
	},
});

declare module "vitest" {
	interface Matchers<R extends void | Promise<void> = void | Promise<void>, T = unknown> {
		/** The answer's status code and, when given, its `info` header; on failure the message shows the body. */
		toAnswer(code: number, info?: string): R;
	}
}
