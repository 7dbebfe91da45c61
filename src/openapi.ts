// The API's OpenAPI settings (title, security schemes, tags) and the document generated from an app's routes.
import { readFileSync } from "node:fs";
import { type App, generateOpenApi, type OpenApiDocument, type OpenApiOptions } from "./core/index.js";

// Read at run time rather than imported: package.json lies outside src/, the build's root.
const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
	version: string;
};

export const openApiOptions: OpenApiOptions = {
	info: {
		title: "Dofus Manager API",
		version,
		description:
			"Game accounts, characters, teams and progressions. Every response carries an `info` header naming its outcome " +
			"(`user.found`, `session.expired`, `TYPE_ERROR.body.email` …); each response below lists the infos it is sent with.",
	},
	securitySchemes: {
		bearerAuth: {
			type: "http",
			scheme: "bearer",
			description: "The access token returned by login, register or refresh.",
		},
		cookieAuth: {
			type: "apiKey",
			in: "cookie",
			name: "session",
			description: "The `session` cookie set by login, register or refresh.",
		},
	},
	// Either credential is enough: two alternatives, not one requirement with both.
	securityByProcess: { authenticated: [{ bearerAuth: [] }, { cookieAuth: [] }] },
	tagOf,
};

/** The resource folder a path belongs to: `/api/guilds/{guildId}` → `guilds`; `/health` → `health`; the docs routes → `docs`. */
export function tagOf(path: string): string {
	const segments = path.split("/").filter((segment) => segment !== "");
	const resource = segments[0] === "api" ? segments[1] : segments[0];
	if (resource === undefined) return "root";
	return resource === "openapi.json" ? "docs" : resource;
}

export function buildOpenApiDocument(app: App): OpenApiDocument {
	return generateOpenApi(app.routes, { ...openApiOptions, errorAnswers: app.errorAnswers });
}
