// A real SMTP server on a free local port (the smtp-server package) that keeps what it receives, for mail tests; it
// can refuse deliveries with a given reply code, require a login, and be stopped and started again on its port.
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterFile } from "./after-file.js";

export interface ReceivedMail {
	/** Envelope sender and recipients, as given in MAIL FROM and RCPT TO. */
	from: string;
	to: string[];
	/** Header names lower-cased, folded lines unfolded; the last of a repeated header wins. */
	headers: Record<string, string>;
	/** The text body, transfer encoding (quoted-printable, base64) undone. */
	text: string;
	/** The user the client logged in as, if it did. */
	user: string | undefined;
}

export interface TestSmtpServer {
	/** `smtp://127.0.0.1:<port>`, with `user:pass@` when the server requires a login. */
	readonly url: string;
	readonly port: number;
	/** Accepted messages, oldest first. */
	readonly received: ReceivedMail[];
	/** Deliveries refused (at RCPT TO) since the last `refuse()`. */
	readonly refusals: number;
	/** Refuses the next `count` deliveries (Infinity: all) with this reply code; restarts the refusal count. */
	refuse(count: number, responseCode?: number): void;
	/** Closes the port: clients get "connection refused" until `start()`. */
	stop(): Promise<void>;
	/** Listens again on the same port. */
	start(): Promise<void>;
}

export interface TestSmtpServerOptions {
	/** Require this login (AUTH PLAIN/LOGIN over plain text: the test server has no TLS). */
	auth?: { user: string; pass: string };
}

export async function startSmtpServer(options: TestSmtpServerOptions = {}): Promise<TestSmtpServer> {
	const received: ReceivedMail[] = [];
	let refusing = { count: 0, responseCode: 451 };
	let refusals = 0;

	const build = () =>
		new SMTPServer({
			logger: false,
			disabledCommands: options.auth === undefined ? ["STARTTLS", "AUTH"] : ["STARTTLS"],
			authOptional: options.auth === undefined,
			allowInsecureAuth: true,
			onAuth(auth, _session, callback) {
				if (auth.username === options.auth?.user && auth.password === options.auth?.pass) {
					callback(null, { user: auth.username });
				} else {
					callback(Object.assign(new Error("Invalid username or password"), { responseCode: 535 }));
				}
			},
			onRcptTo(_address, _session, callback) {
				if (refusing.count > 0) {
					refusing = { ...refusing, count: refusing.count - 1 };
					refusals += 1;
					const error = new Error("Try again later (test refusal)");
					callback(Object.assign(error, { responseCode: refusing.responseCode }));
					return;
				}
				callback();
			},
			onData(stream, session, callback) {
				const chunks: Buffer[] = [];
				stream.on("data", (chunk: Buffer) => chunks.push(chunk));
				stream.on("end", () => {
					received.push({
						from: session.envelope.mailFrom === false ? "" : session.envelope.mailFrom.address,
						to: session.envelope.rcptTo.map((address) => address.address),
						user: typeof session.user === "string" ? session.user : undefined,
						...parseMessage(Buffer.concat(chunks).toString("utf8")),
					});
					callback();
				});
			},
		});

	let server = build();
	const listen = (port: number) =>
		new Promise<number>((resolve, reject) => {
			server.once("error", reject);
			server.listen(port, "127.0.0.1", () => {
				server.off("error", reject);
				resolve((server.server.address() as AddressInfo).port);
			});
		});
	let listening = true;
	const port = await listen(0);
	const close = () =>
		new Promise<void>((resolve) => {
			if (!listening) return resolve();
			listening = false;
			server.close(() => resolve());
		});
	afterFile(close);

	const credentials =
		options.auth === undefined
			? ""
			: `${encodeURIComponent(options.auth.user)}:${encodeURIComponent(options.auth.pass)}@`;
	return {
		url: `smtp://${credentials}127.0.0.1:${port}`,
		port,
		received,
		get refusals() {
			return refusals;
		},
		refuse(count, responseCode = 451) {
			refusing = { count, responseCode };
			refusals = 0;
		},
		stop: close,
		async start() {
			if (listening) return;
			server = build();
			await listen(port);
			listening = true;
		},
	};
}

function parseMessage(raw: string): Pick<ReceivedMail, "headers" | "text"> {
	const split = raw.indexOf("\r\n\r\n");
	const head = split === -1 ? raw : raw.slice(0, split);
	const body = split === -1 ? "" : raw.slice(split + 4);
	const headers: Record<string, string> = {};
	for (const line of head.replace(/\r\n[ \t]+/g, " ").split("\r\n")) {
		const colon = line.indexOf(":");
		if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
	}
	const encoding = headers["content-transfer-encoding"]?.toLowerCase();
	const text =
		encoding === "quoted-printable"
			? Buffer.from(
					body
						.replace(/=\r\n/g, "")
						.replace(/=([0-9A-F]{2})/gi, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
					"latin1",
				).toString("utf8")
			: encoding === "base64"
				? Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8")
				: body;
	return { headers, text: text.replace(/\r\n/g, "\n").replace(/\n$/, "") };
}
