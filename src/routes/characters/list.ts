// GET /api/characters: the caller's characters, filtered, sorted (stable) and paginated; benchmark scenario 3.
import { z } from "zod";
import { type App, text } from "../../core/index.js";
import { type CharacterSortField, characterSortFields, type SortDirection } from "../../services/characters.js";
import { isFirstPlainPage } from "../../services/user-cache.js";
import type { FileRouteServices } from "../files/guards.js";
import type { DomainRouteDependencies } from "../guards.js";
import { idList, limitQuery, pageQuery } from "../query.js";
import { characterAnswers } from "./answers.js";

const levelQuery = z.coerce.number().int().min(1).max(200).optional();

/** `sort=level` or `sort=level:desc`; `name:asc` by default. */
const sortQuery = text()
	.regex(
		new RegExp(`^(${characterSortFields.join("|")})(:(asc|desc))?$`),
		`one of ${characterSortFields.join(", ")}, optionally followed by :asc or :desc`,
	)
	.default("name:asc")
	.transform((value) => {
		const [field, direction = "asc"] = value.split(":");
		return { field: field as CharacterSortField, direction: direction as SortDirection };
	});

/** An empty `search=` (a blank form field) means no search. */
const searchQuery = text()
	.trim()
	.max(50)
	.optional()
	.transform((value) => (value === "" ? undefined : value));

export function declareCharacterListRoute(
	_app: App,
	{ services, guards }: DomainRouteDependencies,
	{ pictures }: Pick<FileRouteServices, "pictures">,
): void {
	const { characters, userCache } = services;
	const { authenticatedRoute } = guards;

	authenticatedRoute
		.declareRoute("GET", "/api/characters")
		.extract({
			query: {
				search: searchQuery,
				classIds: idList().optional(),
				serverIds: idList().optional(),
				accountIds: idList().optional(),
				minLevel: levelQuery,
				maxLevel: levelQuery,
				sort: sortQuery,
				page: pageQuery,
				limit: limitQuery,
			},
		})
		.cut(
			({ pickup }, response) => {
				const min = pickup("minLevel");
				const max = pickup("maxLevel");
				if (min !== undefined && max !== undefined && min > max) characterAnswers.levelRangeInvalid.send(response);
			},
			[],
			characterAnswers.levelRangeInvalid,
		)
		.handler(async ({ pickup }, response) => {
			const page = pickup("page");
			const limit = pickup("limit");
			const userId = pickup("user").id;
			const query = {
				search: pickup("search"),
				classIds: pickup("classIds"),
				serverIds: pickup("serverIds"),
				accountIds: pickup("accountIds"),
				minLevel: pickup("minLevel"),
				maxLevel: pickup("maxLevel"),
				sort: pickup("sort"),
				page,
				limit,
			};
			// The page every client opens with comes from the user cache; writes to the user's characters invalidate it.
			const found = await (isFirstPlainPage(query)
				? userCache.characterPage(userId, limit, () => characters.list(userId, query))
				: characters.list(userId, query));
			// One more query for the page's portraits, whatever its size.
			const portraits = await pictures.portraitsOf(found.characters.map((character) => character.id));
			characterAnswers.list.send(response, {
				characters: found.characters.map((character) => ({
					...character,
					portrait: portraits.get(character.id) ?? null,
				})),
				pagination: { page, limit, total: found.total, totalPages: Math.ceil(found.total / limit) },
			});
		}, characterAnswers.list);
}
