// A typed client of the API: types generated from the OpenAPI document (`npm run client`) over openapi-fetch.
import createClient, { type Client, type ClientOptions } from "openapi-fetch";
import type { paths } from "./schema.js";

export type { components, operations, paths } from "./schema.js";

export type DofusClient = Client<paths>;

export interface DofusClientOptions extends Omit<ClientOptions, "baseUrl"> {
	/** Sent as `Authorization: Bearer …` on every request; change it later with `client.setAccessToken`. */
	accessToken?: string;
}

/**
 * `createDofusClient("http://127.0.0.1:3000")`, then `client.GET("/api/me")`: paths, parameters, bodies
 * and answers are typed. Every answer's outcome is in `response.headers.get("info")`.
 */
export function createDofusClient(
	baseUrl: string,
	options: DofusClientOptions = {},
): DofusClient & { setAccessToken(token: string | undefined): void } {
	const { accessToken, ...clientOptions } = options;
	const client = createClient<paths>({ ...clientOptions, baseUrl });
	let token = accessToken;
	// A middleware rather than default headers, so the token can change after login or refresh.
	client.use({
		onRequest({ request }) {
			if (token !== undefined && !request.headers.has("authorization"))
				request.headers.set("authorization", `Bearer ${token}`);
			return request;
		},
	});
	return Object.assign(client, {
		setAccessToken(next: string | undefined) {
			token = next;
		},
	});
}
