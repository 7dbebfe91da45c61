// Response contracts: what a step declares it may send (code, info, body schema), the responses the
// framework itself may send, and the check of a sent response against them (DEV and TEST only).
import { z } from "zod";
import { DeclarationError, FrameworkInfo } from "./errors.js";
import { type ExtractShape, extractErrorBodySchema, extractParts, isZodSchema } from "./extract.js";

/**
 * Declares one response a step may send: `new IHaveSentThis(404, "user.notfound")`,
 * `new IHaveSentThis(200, "user.found", userSchema)`. `info` may list several infos sent with that code.
 * With a schema, the body is validated in DEV/TEST and always serialised from the schema's output,
 * so fields the schema does not name never leave the server. `.forMethods("POST", "PATCH")` scopes it to
 * routes of those methods (a process used by every route may refuse some methods only, such as CSRF on
 * unsafe ones): on other routes it is not declared, documented nor counted. `.forOptions(predicate)`
 * scopes an answer of a process's step to the uses of that process whose options it accepts (a right
 * check refuses only where a right is asked).
 */
export class IHaveSentThis<
	Code extends number = number,
	Info extends string = string,
	Schema extends z.ZodType | undefined = z.ZodType | undefined,
> {
	readonly infos: readonly Info[];
	/** The route methods it applies to; undefined: all of them. */
	readonly methods: readonly string[] | undefined;
	/** Inside a process: the options of the uses it applies to; undefined: every use. */
	readonly whenOptions: ((options: any) => boolean) | undefined = undefined;

	constructor(
		readonly code: Code,
		info: Info | readonly Info[],
		readonly schema?: Schema,
		options: { methods?: readonly string[] } = {},
	) {
		this.infos = typeof info === "string" ? [info] : info;
		this.methods = options.methods;
		if (this.methods !== undefined && this.methods.length === 0)
			throw new DeclarationError(`${code} ${this.infos.join(" | ")}: forMethods() needs at least one method.`);
	}

	/** The same answer (of the same class: a refusal still sends), declared only on routes of these methods. */
	forMethods(...methods: readonly string[]): this {
		if (methods.length === 0)
			throw new DeclarationError(`${this.code} ${this.infos.join(" | ")}: forMethods() needs at least one method.`);
		return this.scoped({ methods });
	}

	/**
	 * The same answer, declared by a process's step only where the process is used with options it
	 * accepts: `rightMissing.forOptions((options: { right: string | null }) => options.right !== null)`.
	 * A use whose options are a function of the floor may be anything, so there it is declared.
	 */
	forOptions<Options extends object>(accepts: (options: Options) => boolean): this {
		if (typeof accepts !== "function")
			throw new DeclarationError(`${this.code} ${this.infos.join(" | ")}: forOptions() needs a function.`);
		return this.scoped({ whenOptions: accepts });
	}

	/** This answer without its options scope: what it is once a process use has answered it. */
	unscoped(): this {
		return this.whenOptions === undefined ? this : this.scoped({ whenOptions: undefined });
	}

	private scoped(changes: Partial<Pick<IHaveSentThis, "methods" | "whenOptions">>): this {
		return Object.assign(Object.create(Object.getPrototypeOf(this)), this, changes);
	}
}

/**
 * The contracts a process use declares, from those its process's own steps list: the ones scoped by
 * `forOptions` are kept when the use's options are accepted (or not known before the request), and
 * lose their scope, which belongs to this use only.
 */
export function forProcessOptions(contracts: readonly Contract[], options: object | undefined): Contract[] {
	const kept: Contract[] = [];
	for (const contract of contracts) {
		if (contract.whenOptions === undefined) kept.push(contract);
		else if (options === undefined || contract.whenOptions(options)) kept.push(contract.unscoped());
	}
	return kept;
}

/** Whether a contract applies to a route of this method (HEAD answers like GET). */
export function appliesTo(contract: Contract, method: string): boolean {
	return contract.methods === undefined || contract.methods.includes(method);
}

/** The contracts of a list that apply to a route of this method. */
export function forMethod(contracts: readonly Contract[], method: string): readonly Contract[] {
	return contracts.every((contract) => contract.methods === undefined)
		? contracts
		: contracts.filter((contract) => appliesTo(contract, method));
}

export type Contract = IHaveSentThis<number, string, z.ZodType | undefined>;

/** The `{ error, message }` body of the body parser's refusals (415 adds the media types it understands), and of `refusal()`. */
export const frameworkErrorBodySchema = z.object({ error: z.string(), message: z.string() });

const payloadTooLarge = new IHaveSentThis(413, FrameworkInfo.payloadTooLarge, frameworkErrorBodySchema);
const unsupportedMediaType = new IHaveSentThis(
	415,
	FrameworkInfo.unsupportedMediaType,
	frameworkErrorBodySchema.extend({ supported: z.array(z.string()) }),
);
/** The multipart reader's refusals: `field` names the form field at fault, when one is. */
const multipartErrorBodySchema = frameworkErrorBodySchema.extend({ field: z.string().optional() });

/** What the framework may answer on its own, declared once here rather than in every route. */
export const frameworkContracts = {
	/** Any step: an error it threw, or a pipeline that ended without sending. */
	failure: [new IHaveSentThis(500, [FrameworkInfo.internalServerError, FrameworkInfo.noResponseSent])] as Contract[],
	/** The body parser. */
	body: [
		new IHaveSentThis(400, FrameworkInfo.bodyParseError, frameworkErrorBodySchema),
		payloadTooLarge,
		unsupportedMediaType,
	] as Contract[],
	/** The multipart reader (`extract({ multipart })`). */
	multipart: [
		new IHaveSentThis(400, FrameworkInfo.multipartInvalid, multipartErrorBodySchema),
		new IHaveSentThis(413, FrameworkInfo.payloadTooLarge, multipartErrorBodySchema),
		unsupportedMediaType,
		new IHaveSentThis(
			415,
			FrameworkInfo.fileTypeRejected,
			frameworkErrorBodySchema.extend({ field: z.string(), accepted: z.array(z.string()) }),
		),
	] as Contract[],
	/** The router, for paths or methods no route serves. */
	routing: [
		new IHaveSentThis(404, FrameworkInfo.notFound),
		new IHaveSentThis(405, FrameworkInfo.methodNotAllowed),
	] as Contract[],
	/** The contract check itself. */
	contractCheck: [new IHaveSentThis(500, FrameworkInfo.whatWasSentError)] as Contract[],
};

/** The 400 `TYPE_ERROR.<part>[.<key>]` answers the default extract error handler may send for a shape. */
export function extractContracts(shape: ExtractShape): Contract[] {
	const infos: string[] = [];
	for (const part of extractParts) {
		const declared = shape[part];
		if (declared === undefined) continue;
		infos.push(`${FrameworkInfo.typeError}.${part}`);
		if (!isZodSchema(declared))
			for (const key of Object.keys(declared)) infos.push(`${FrameworkInfo.typeError}.${part}.${key}`);
	}
	// A multipart issue is always about one of its fields.
	for (const key of shape.multipart?.keys ?? []) infos.push(`${FrameworkInfo.typeError}.multipart.${key}`);
	return infos.length === 0 ? [] : [new IHaveSentThis(400, infos, extractErrorBodySchema)];
}

export interface ContractMismatch {
	message: string;
	issues?: { path: (string | number)[]; message: string }[];
}

export function describeContracts(contracts: readonly Contract[]): string {
	return contracts
		.map(
			(contract) =>
				`${contract.code} ${contract.infos.join(" | ")}${contract.schema === undefined ? "" : " (with a body schema)"}`,
		)
		.join("; ");
}

/**
 * Checks a sent response against the contracts of the step that sent it. Returns the body to send
 * (parsed by the contract's schema when it has one), or a mismatch explaining what is wrong.
 */
export function matchContract(
	contracts: readonly Contract[],
	statusCode: number,
	info: string | undefined,
	body: unknown,
	where: string,
): { body: unknown } | ContractMismatch {
	const candidates = contracts.filter(
		(contract) => contract.code === statusCode && info !== undefined && contract.infos.includes(info),
	);
	if (candidates.length === 0) {
		return {
			message: `${where} sent ${statusCode} with info ${info === undefined ? "(none)" : `"${info}"`}, which it does not declare. Declared: ${describeContracts(contracts) || "nothing"}. Add new IHaveSentThis(${statusCode}, "${info ?? "some.info"}") to the step, or fix the response.`,
		};
	}
	let firstIssues: z.core.$ZodIssue[] | undefined;
	for (const contract of candidates) {
		if (contract.schema === undefined) return { body };
		const parsed = contract.schema.safeParse(body);
		if (parsed.success) return { body: parsed.data };
		firstIssues ??= parsed.error.issues;
	}
	return {
		message: `${where} sent ${statusCode} "${info}" with a body that does not match its declared schema.`,
		issues: (firstIssues ?? []).map((issue) => ({
			path: issue.path.map((segment) => (typeof segment === "symbol" ? String(segment) : segment)),
			message: issue.message,
		})),
	};
}
