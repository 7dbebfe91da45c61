// Query-string schemas shared by list routes: id lists given repeated (`a=1&a=2`), single or comma-separated (`a=1,2`).
import { z } from "zod";
import { idParam } from "./params.js";

/** Longest id list a filter accepts: past it the SQL `= any(…)` stops being a filter worth running. */
export const maxIdListLength = 50;

function splitIds(value: unknown): unknown {
	const parts = (Array.isArray(value) ? value : [value]).flatMap((part) =>
		typeof part === "string" ? part.split(",") : [part],
	);
	return parts.map((part) => (typeof part === "string" ? part.trim() : part)).filter((part) => part !== "");
}

/** `classIds=1&classIds=2`, `classIds=1` and `classIds=1,2` all become `[1, 2]` / `[1]`; duplicates are dropped. */
export function idList(max = maxIdListLength) {
	return z.preprocess(splitIds, z.array(idParam).min(1).max(max)).transform((ids) => [...new Set(ids)]);
}

/** A positive page number, 1 by default; capped so that an offset never walks millions of rows. */
export const pageQuery = z.coerce.number().int().min(1).max(10_000).default(1);

/** Page size, 1–100, 20 by default. */
export const limitQuery = z.coerce.number().int().min(1).max(100).default(20);

/** `?cascade=true`: `true`/`false` (also `1`/`0`), false when absent. */
export const booleanQuery = z
	.enum(["true", "false", "1", "0"])
	.default("false")
	.transform((value) => value === "true" || value === "1");
