// What the reference list routes answer, said once per resource: each route sends and declares its resource's.
import type { z } from "zod";
import { answer, refusal } from "../../core/index.js";
import { type ReferenceBody, type ReferenceResource, referenceBodySchemas } from "../../services/reference-data.js";

/** One body type for every resource's list: the same route code serves each resource, its schema checks the body. */
type ReferenceListBody = ReferenceBody<ReferenceResource>;

function answersOf(resource: ReferenceResource) {
	const body: z.ZodType<ReferenceListBody, ReferenceListBody> = referenceBodySchemas[resource];
	return {
		list: answer(200, `${resource}.list`, body),
		/** `If-None-Match` names the current ETag: the client's copy is fresh, no body. */
		notModified: answer(304, `${resource}.not_modified`),
	};
}

export type ReferenceAnswers = ReturnType<typeof answersOf>;

export const referenceAnswers: Record<ReferenceResource, ReferenceAnswers> = {
	classes: answersOf("classes"),
	servers: answersOf("servers"),
	dungeons: answersOf("dungeons"),
};

/** A class, server or dungeon id the reference data does not hold: what the presets of reference/guards.ts refuse. */
export const referenceNotFound = {
	class: refusal(404, "class.notfound", "No such class."),
	server: refusal(404, "server.notfound", "No such server."),
	dungeon: refusal(404, "dungeon.notfound", "No such dungeon."),
};
