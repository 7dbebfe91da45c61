// The mail transport the workers use: SMTP through nodemailer when SMTP_URL is set, the log transport otherwise.
import { createTransport } from "nodemailer";
import type { Logger } from "pino";
import type { Config } from "../config.js";
import { logTransport, type MailTransport, type StoredMail } from "./mail.js";

/** A delivery the SMTP server refused or that could not reach it; carries no credential and no part of the body. */
export class MailDeliveryError extends Error {
	constructor(
		message: string,
		/** nodemailer's code (ECONNECTION, ETIMEDOUT, EAUTH, EENVELOPE…), when it gave one. */
		public readonly code: string | undefined,
		/** The SMTP reply code, when the server answered. */
		public readonly responseCode: number | undefined,
		/** True for a refusal the server says is final (5xx but 503); false or undefined may pass on a later attempt. */
		public readonly permanent: boolean | undefined,
	) {
		super(message);
		this.name = "MailDeliveryError";
	}
}

export interface SmtpTransportOptions {
	/** `smtp://user:password@host:port` (STARTTLS when offered) or `smtps://…` (TLS from the start). */
	url: string;
	/** The From header and the envelope sender. */
	from: string;
	/**
	 * Each wait (connect, greeting, idle socket), in milliseconds. The job's timeout is 60 s: a send that hangs must
	 * fail well before pg-boss counts the run as expired. Default 10 s for connect and greeting, 30 s idle.
	 */
	connectionTimeoutMs?: number;
	greetingTimeoutMs?: number;
	socketTimeoutMs?: number;
}

/** The domain of the From address, or a fixed one: Message-IDs need a right-hand side. */
function senderDomain(from: string): string {
	const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from);
	return match?.[1]?.toLowerCase() ?? "dofus-manager.local";
}

/**
 * The same for every delivery of one outbox row, so a second delivery after a crash (sent, not yet marked) carries the
 * Message-ID of the first and mail clients and servers can drop it. The creation time keeps two databases (staging
 * and production on one mail domain) from ever giving two different mails one id.
 */
export function outboxMessageId(mail: Pick<StoredMail, "id" | "createdAt">, from: string): string {
	return `<outbox.${mail.id}.${mail.createdAt.getTime()}@${senderDomain(from)}>`;
}

export function smtpTransport(options: SmtpTransportOptions): MailTransport {
	// One connection per message (no pool): nothing stays open between jobs, so there is nothing to close at shutdown.
	// No `logger`/`debug`: nodemailer would log the message data and the AUTH exchange.
	const transporter = createTransport({
		url: options.url,
		connectionTimeout: options.connectionTimeoutMs ?? 10_000,
		greetingTimeout: options.greetingTimeoutMs ?? 10_000,
		socketTimeout: options.socketTimeoutMs ?? 30_000,
		logger: false,
		debug: false,
	});
	const secret = passwordOf(options.url);
	return async (mail, { signal }) => {
		try {
			await transporter.sendMail({
				from: options.from,
				to: mail.recipient,
				subject: mail.subject,
				text: mail.body,
				messageId: outboxMessageId(mail, options.from),
				date: mail.createdAt,
				signal,
			});
		} catch (error) {
			throw toDeliveryError(error, secret);
		}
	};
}

function passwordOf(url: string): string | undefined {
	try {
		const password = decodeURIComponent(new URL(url).password);
		return password === "" ? undefined : password;
	} catch {
		return undefined;
	}
}

/**
 * Keeps what says why (code, reply), drops the rest: the error is stored with the job and logged. nodemailer does not
 * put the password in its messages; the scrub is there in case a server echoes it back.
 */
function toDeliveryError(error: unknown, secret: string | undefined): MailDeliveryError {
	const fields = (typeof error === "object" && error !== null ? error : {}) as {
		message?: unknown;
		code?: unknown;
		responseCode?: unknown;
		permanent?: unknown;
	};
	const raw = typeof fields.message === "string" ? fields.message : String(error);
	const message = secret === undefined ? raw : raw.replaceAll(secret, "[redacted]");
	return new MailDeliveryError(
		`SMTP delivery failed: ${message}`,
		typeof fields.code === "string" ? fields.code : undefined,
		typeof fields.responseCode === "number" ? fields.responseCode : undefined,
		typeof fields.permanent === "boolean" ? fields.permanent : undefined,
	);
}

/** SMTP when SMTP_URL is set; otherwise the log transport, so the embedded default needs no mail server. */
export function mailTransportFromConfig(config: Pick<Config, "SMTP_URL" | "MAIL_FROM">, logger: Logger): MailTransport {
	if (config.SMTP_URL === undefined) return logTransport(logger);
	return smtpTransport({ url: config.SMTP_URL, from: config.MAIL_FROM });
}
