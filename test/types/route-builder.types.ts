// Type tests of the route builder, checked by `tsc --noEmit` (part of `npm test`): every
// `@ts-expect-error` below must be an error, or the type check fails. Nothing here runs.
import { z } from "zod";
import {
	answer,
	createApp,
	createChecker,
	createPresetChecker,
	createProcess,
	type Floor,
	refusal,
} from "../../src/core/index.js";
import { unchecked } from "../helpers/unchecked.js";

interface User {
	id: number;
	name: string;
}

const app = createApp({ environment: "TEST" });

const userExist = createChecker("userExist")
	.options({ by: "id" as "id" | "email" })
	.handler(async (input: number, output, options) =>
		input > 0 && options.by === "id"
			? output("user.exist", { id: input, name: "x" } as User)
			: output("user.notfound", null),
	);

const authenticated = createProcess("authenticated")
	.extract({ headers: { authorization: z.string() } })
	.cut(() => ({ session: { id: "s" }, user: { id: 1, name: "u" } as User }), ["session", "user"])
	.build(["session", "user"]);

const userHasRight = createProcess("userHasRight")
	.options({ right: "guild.manage" as string })
	.input<number>()
	.cut(({ pickup }) => ({ membership: { guildId: pickup("input"), right: pickup("options").right } }), ["membership"])
	.build(["membership"]);

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(_proof?: T) => undefined;

// The happy path: every key picked up has the type its step gave it.
app
	.declareRoute("GET", "/users/{id}")
	.hook("onError", () => undefined)
	.extract({ params: { id: z.coerce.number() }, query: z.object({ full: z.string().optional() }) })
	.process(authenticated, { pickup: ["user"] })
	.check(userExist, {
		input: (pickup) => pickup("id"),
		result: "user.exist",
		catch: (response, info, data) => {
			assertType<Equal<typeof info, "user.notfound">>();
			assertType<Equal<typeof data, null>>();
			unchecked(response).code(404).info(info).send();
		},
		indexing: "target",
		options: { by: "id" },
	})
	.cut(({ pickup }) => ({ isSelf: pickup("user").id === pickup("target").id }), ["isSelf"])
	.handler(({ pickup }, response) => {
		assertType<Equal<ReturnType<typeof pickup<"target">>, User>>();
		assertType<Equal<ReturnType<typeof pickup<"isSelf">>, boolean>>();
		assertType<Equal<ReturnType<typeof pickup<"query">>, { full?: string | undefined }>>();
		unchecked(response).code(200).send(pickup("target"));
	});

// An unknown floor key does not compile.
app.declareRoute("GET", "/a").handler(({ pickup }, response) => {
	// @ts-expect-error "user" was never dropped
	pickup("user");
	response.send();
});

// A key of the process that the route did not pick up is not on the route's floor.
app
	.declareRoute("GET", "/b")
	.process(authenticated, { pickup: ["user"] })
	.handler(({ pickup }, response) => {
		// @ts-expect-error "session" was not picked up
		pickup("session");
		response.send();
	});

// Steps in the wrong order do not compile.
app
	.declareRoute("GET", "/c")
	.extract({ params: { id: z.string() } })
	// @ts-expect-error hook after extract
	.hook("onError", () => undefined);

app
	.declareRoute("GET", "/d")
	.extract({ params: { id: z.string() } })
	// @ts-expect-error extract twice
	.extract({ query: { id: z.string() } });

app
	.declareRoute("GET", "/e")
	.process(authenticated)
	// @ts-expect-error extract after a process
	.extract({ query: { id: z.string() } });

const declared = app.declareRoute("GET", "/f").handler((_floor, response) => response.send());
// @ts-expect-error nothing comes after the handler
declared.check(userExist, { input: () => 1 });

// @ts-expect-error routes end with handler(), not build()
app.declareRoute("GET", "/g").build([]);

// @ts-expect-error processes end with build(), not handler()
createProcess("p").handler(() => undefined);

// An unknown part of the request cannot be extracted.
app
	.declareRoute("GET", "/h")
	// @ts-expect-error "parms" is not a part of the request
	.extract({ parms: { id: z.string() } });

// Checker misuse.
app
	.declareRoute("GET", "/i/{id}")
	.extract({ params: { id: z.coerce.number() } })
	// @ts-expect-error "user.found" is not an info this checker answers
	.check(userExist, { input: (pickup) => pickup("id"), result: "user.found", catch: (response) => response.send() });

app
	.declareRoute("GET", "/j/{id}")
	.extract({ params: { id: z.coerce.number() } })
	// @ts-expect-error a result needs a catch
	.check(userExist, { input: (pickup) => pickup("id"), result: "user.exist" });

app
	.declareRoute("GET", "/k/{id}")
	.extract({ params: { id: z.string() } })
	// @ts-expect-error the checker wants a number
	.check(userExist, { input: (pickup) => pickup("id") });

app
	.declareRoute("GET", "/l/{id}")
	.extract({ params: { id: z.coerce.number() } })
	// @ts-expect-error "by" must be "id" or "email"
	.check(userExist, { input: (pickup) => pickup("id"), options: { by: "name" } });

// Preset checkers: the route gives only the input; the key and its type come from the preset.
const userFound = createPresetChecker(userExist, {
	result: "user.exist",
	catch: (response, info) => {
		assertType<Equal<typeof info, "user.notfound">>();
		unchecked(response).code(404).info(info).send();
	},
	indexing: "found",
});
app
	.declareRoute("GET", "/preset/{id}")
	.extract({ params: { id: z.coerce.number(), slug: z.string() } })
	.presetCheck(userFound, (pickup) => pickup("id"))
	.handler(({ pickup }, response) => {
		assertType<Equal<ReturnType<typeof pickup<"found">>, User>>();
		response.send();
	});
app
	.declareRoute("GET", "/preset-skip/{id}")
	.extract({ params: { id: z.coerce.number() } })
	.presetCheck(userFound, (pickup) => pickup("id"), { skip: (pickup) => pickup("id") === 0 })
	.handler(({ pickup }, response) => {
		assertType<Equal<ReturnType<typeof pickup<"found">>, User | undefined>>();
		response.send();
	});
// An optional step takes an input that may be undefined, needs no placeholder, and types its key `| undefined`.
app
	.declareRoute("GET", "/preset-optional")
	.extract({ query: { id: z.coerce.number().optional() } })
	.presetCheck(userFound, (pickup) => pickup("id"), { optional: true })
	.handler(({ pickup }, response) => {
		assertType<Equal<ReturnType<typeof pickup<"found">>, User | undefined>>();
		response.send();
	});
app
	.declareRoute("GET", "/preset-not-optional")
	.extract({ query: { id: z.coerce.number().optional() } })
	// @ts-expect-error an input that may be undefined needs { optional: true }
	.presetCheck(userFound, (pickup) => pickup("id"));
app
	.declareRoute("GET", "/check-optional")
	.extract({ query: { id: z.coerce.number().optional() } })
	.check(userExist, {
		input: (pickup) => pickup("id"),
		optional: true,
		result: "user.exist",
		catch: (response) => response.send(),
		indexing: "user",
	})
	.handler(({ pickup }, response) => {
		assertType<Equal<ReturnType<typeof pickup<"user">>, User | undefined>>();
		response.send();
	});
app
	.declareRoute("GET", "/check-optional-and-skip")
	.extract({ query: { id: z.coerce.number().optional() } })
	.check(userExist, {
		input: (pickup) => pickup("id"),
		optional: true,
		// @ts-expect-error one rule decides whether a step runs: skip or optional, not both
		skip: () => false,
		result: "user.exist",
		catch: (response) => response.send(),
	});
app
	.declareRoute("GET", "/process-optional")
	.extract({ query: { guildId: z.coerce.number().optional() } })
	.process(userHasRight, {
		input: (pickup) => pickup("guildId"),
		optional: true,
		options: { right: "member.invite" },
		pickup: ["membership"],
	})
	.handler(({ pickup }, response) => {
		assertType<Equal<ReturnType<typeof pickup<"membership">>, { guildId: number; right: string } | undefined>>();
		response.send();
	});
app
	.declareRoute("GET", "/process-not-optional")
	.extract({ query: { guildId: z.coerce.number().optional() } })
	// @ts-expect-error an input that may be undefined needs { optional: true }
	.process(userHasRight, { input: (pickup) => pickup("guildId"), options: { right: "member.invite" } });

app
	.declareRoute("GET", "/preset2/{slug}")
	.extract({ params: { slug: z.string() } })
	// @ts-expect-error the preset's checker wants a number
	.presetCheck(userFound, (pickup) => pickup("slug"));
// @ts-expect-error "user.found" is not an info of this checker
createPresetChecker(userExist, { result: "user.found", catch: (response) => response.send() });
// @ts-expect-error a preset needs a catch
createPresetChecker(userExist, { result: "user.exist" });

// A skipped step's key may be undefined, and its type says so.
app
	.declareRoute("GET", "/m/{id}")
	.extract({ params: { id: z.coerce.number() } })
	.check(userExist, {
		input: (pickup) => pickup("id"),
		result: "user.exist",
		catch: (response) => response.send(),
		indexing: "user",
		skip: (pickup) => pickup("id") === 0,
	})
	.handler(({ pickup }, response) => {
		assertType<Equal<ReturnType<typeof pickup<"user">>, User | undefined>>();
		response.send();
	});

// Process misuse.
app
	.declareRoute("GET", "/n")
	// @ts-expect-error this process does not build "account"
	.process(authenticated, { pickup: ["account"] });

app
	.declareRoute("GET", "/o")
	// @ts-expect-error userHasRight needs an input
	.process(userHasRight, { pickup: ["membership"] });

app
	.declareRoute("GET", "/p/{guildId}")
	.extract({ params: { guildId: z.coerce.number() } })
	.process(userHasRight, {
		input: (pickup) => pickup("guildId"),
		options: { right: "member.invite" },
		pickup: ["membership"],
	})
	.handler(({ pickup }, response) => {
		assertType<Equal<ReturnType<typeof pickup<"membership">>, { guildId: number; right: string }>>();
		response.send();
	});

app
	.declareRoute("GET", "/p2")
	.process(authenticated, { pickup: ["user"], skip: () => false })
	.handler(({ pickup }, response) => {
		assertType<Equal<ReturnType<typeof pickup<"user">>, User | undefined>>();
		response.send();
	});

// A cut can only drop keys it returns.
app
	.declareRoute("GET", "/q")
	// @ts-expect-error the cut returns no "b"
	.cut(() => ({ a: 1 }), ["b"]);

// Abstract routes: routes declared from them see exactly the exported keys.
const withUser = app
	.declareAbstractRoute("withUser")
	.process(authenticated, { pickup: ["user", "session"] })
	.build(["user"]);
withUser.declareRoute("GET", "/r").handler(({ pickup }, response) => {
	assertType<Equal<ReturnType<typeof pickup<"user">>, User>>();
	// @ts-expect-error "session" is not exported by the abstract route
	pickup("session");
	response.send();
});

const withLocale = app
	.declareAbstractRoute("withLocale")
	.extract({ headers: { "accept-language": z.string().default("fr") } })
	.build(["accept-language"]);
app
	.mergeAbstractRoutes("withUserAndLocale", [withUser, withLocale])
	.declareRoute("GET", "/s")
	.handler(({ pickup }, response) => {
		assertType<Equal<ReturnType<typeof pickup<"user">>, User>>();
		assertType<Equal<ReturnType<typeof pickup<"accept-language">>, string>>();
		response.send();
	});

// Hooks are typed by name.
app.addHook("onError", (request, response, error) => {
	assertType<Equal<typeof error, unknown>>();
	void request.id;
	void response.statusCode;
});
// @ts-expect-error no such hook
app.addHook("beforeParsingBody", () => undefined);

export type { Floor };

// Declared answers: the body is typed from the schema, and a refusal takes no body.
{
	const created = answer(201, "user.created", z.object({ user: z.object({ id: z.number() }) }));
	const gone = refusal(404, "user.notfound", "No such user.");
	const empty = answer(204, "user.deleted");
	app.declareRoute("POST", "/answers").handler(
		(_floor, response) => {
			assertType<Equal<typeof created.info, "user.created">>();
			assertType<Equal<typeof gone.code, 404>>();
			if (Math.random() > 2) empty.send(response);
			if (Math.random() > 2) gone.send(response, "A custom message.");
			// @ts-expect-error the body must match the schema
			if (Math.random() > 2) created.send(response, { user: { id: "one" } });
			// @ts-expect-error an answer with a schema needs its body
			if (Math.random() > 2) created.send(response);
			// @ts-expect-error an answer without a schema takes no body
			if (Math.random() > 2) empty.send(response, { anything: true });
			created.send(response, { user: { id: 1 } });
		},
		created,
		gone,
		empty,
	);
}

// A step sends only what it declares: its `response` takes no other answer, in any step that sends.
{
	const found = answer(200, "user.found", z.object({ id: z.number() }));
	const gone = refusal(404, "user.notfound", "No such user.");
	const locked = refusal(423, "user.locked", "This user is locked.");

	// The handler: a declared answer compiles, an undeclared one does not.
	app.declareRoute("GET", "/declared/{id}").handler(
		(_floor, response) => {
			if (Math.random() > 2) gone.send(response);
			// @ts-expect-error 423 user.locked is not declared by this handler
			if (Math.random() > 2) locked.send(response);
			found.send(response, { id: 1 });
		},
		found,
		gone,
	);
	// A handler that declares nothing can send no declared answer.
	app.declareRoute("GET", "/declares-nothing").handler((_floor, response) => {
		// @ts-expect-error nothing is declared
		found.send(response, { id: 1 });
	});
	// Raw sends take only the declared codes and infos.
	app.declareRoute("GET", "/raw").handler((_floor, response) => {
		if (Math.random() > 2) response.code(404).info("user.notfound").send({ error: "user.notfound", message: "" });
		// @ts-expect-error 418 is not a declared code
		if (Math.random() > 2) response.code(418);
		// @ts-expect-error "user.gone" is not a declared info
		response.info("user.gone");
	}, gone);
	// A check's catch function sends only what the check declares.
	app
		.declareRoute("GET", "/check-catch/{id}")
		.extract({ params: { id: z.coerce.number() } })
		.check(
			userExist,
			{
				input: (pickup) => pickup("id"),
				result: "user.exist",
				catch: (response) => {
					// @ts-expect-error 423 user.locked is not declared by this check
					if (Math.random() > 2) locked.send(response);
					gone.send(response);
				},
			},
			gone,
		)
		.handler((_floor, response) => found.send(response, { id: 1 }), found);
	// A cut sends only what the cut declares.
	app
		.declareRoute("GET", "/cut")
		.cut(
			(_floor, response) => {
				if (Math.random() > 2) gone.send(response);
				// @ts-expect-error 200 user.found is declared by the handler, not by the cut
				found.send(response, { id: 1 });
			},
			[],
			gone,
		)
		.handler((_floor, response) => found.send(response, { id: 1 }), found);
	// A preset's catch function sends only what the preset declares; a declared answer as catch declares itself.
	createPresetChecker(userExist, { result: "user.exist", catch: (response) => gone.send(response) }, gone);
	createPresetChecker(userExist, {
		result: "user.exist",
		// @ts-expect-error the preset declares nothing
		catch: (response) => gone.send(response),
	});
	createPresetChecker(userExist, { result: "user.exist", catch: gone });
}

// respond(): the handler's throw-free answer, as strictly typed as send().
{
	const found = answer(200, "user.found", z.object({ id: z.number() }));
	const other = answer(200, "user.other", z.object({ id: z.number() }));
	app.declareRoute("GET", "/respond").handler((_floor, response) => {
		// @ts-expect-error 200 user.other is not declared by this handler
		if (Math.random() > 2) return other.respond(response, { id: 1 });
		// @ts-expect-error the body must match the schema
		if (Math.random() > 2) return found.respond(response, { id: "1" });
		return found.respond(response, { id: 1 });
	}, found);
}
