import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";

/** Starts `src/main.ts` on an ephemeral PGlite and a free port; resolves once it listens. */
function startServer() {
	const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
		env: {
			...process.env,
			APP_ENV: "PROD",
			PORT: "0",
			PGLITE_DIR: "memory://",
			LOG_LEVEL: "info",
			DATABASE_URL: "",
			SECRETS_KEY: `main-test:${randomBytes(32).toString("base64")}`,
		},
		stdio: ["ignore", "pipe", "pipe"],
	});
	let output = "";
	const listening = new Promise<number>((resolve, reject) => {
		child.stdout.setEncoding("utf8");
		child.stdout.on("data", (chunk: string) => {
			output += chunk;
			const match = /"port":(\d+)/.exec(output);
			if (match) resolve(Number(match[1]));
		});
		child.once("exit", (code) => reject(new Error(`exited with ${code}: ${output}`)));
	});
	const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
	return { child, listening, exited, output: () => output };
}

describe("npm start (src/main.ts)", () => {
	it("boots on embedded PGlite, serves /health, and exits cleanly on SIGTERM", async () => {
		const server = startServer();
		const port = await server.listening;
		const response = await fetch(`http://127.0.0.1:${port}/health`);
		expect(response.status).toBe(200);
		expect(await response.json()).toEqual({ status: "ok", database: "ok" });
		// The embedded default runs the job workers in the same process.
		expect(server.output()).toContain('"msg":"workers started"');
		expect(server.output()).toContain('"workers":"inline"');
		server.child.kill("SIGTERM");
		expect(await server.exited).toBe(0);
		expect(server.output()).toContain('"msg":"stopped"');
	}, 60_000);
});
