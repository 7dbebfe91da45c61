// multipart/form-data bodies as a route declares them (`multipart()`): the form's file and ordinary fields, what
// they drop on the floor, and the extract step that checks them once the reader (multipart-reader.ts) has read the body.
import { tmpdir } from "node:os";
import { supportedMimeTypes } from "file-type";
import { z } from "zod";
import { DeclarationError, NoResponseSentError } from "./errors.js";
import type { ExtractErrorHandler } from "./extract.js";
import type { RuntimeFloor } from "./floor.js";
import type { Request } from "./request.js";
import type { Response } from "./response.js";
import type { UploadedFile } from "./uploaded-file.js";

// ---------------------------------------------------------------------------------------------------
// The declaration.

/** One file field of a form. */
export interface FileFieldOptions {
	/**
	 * The accepted types. Binary types are recognised from the content's magic bytes (`file-type` must know
	 * them: `image/png`, `image/jpeg`, `application/pdf` …); `text/*` types have none, and are accepted for
	 * content with no magic bytes that is UTF-8 text without NUL (see docs/core.md).
	 */
	readonly types: readonly [string, ...string[]];
	/** The largest file, in bytes: one byte more answers 413 at once. */
	readonly maxBytes: number;
	/** How many files the field takes (default 1). Above 1, the floor holds an array. */
	readonly maxCount?: number;
	/** Whether the field must hold a file (default true, like a zod key). */
	readonly required?: boolean;
}

export type FileFields = { readonly [name: string]: FileFieldOptions };
export type ValueFields = { readonly [name: string]: z.ZodType };

export interface MultipartOptions<Files extends FileFields = FileFields, Fields extends ValueFields = ValueFields> {
	/** The file fields, by name. */
	readonly files: Files;
	/** The ordinary fields, one zod schema per name; values arrive as strings (arrays when a name is repeated). */
	readonly fields?: Fields;
	/** Most ordinary field parts, undeclared ones included (default: one per declared field). */
	readonly maxFields?: number;
	/** Largest value of an ordinary field, in bytes (default 64 KiB). */
	readonly maxFieldBytes?: number;
	/** Where temporary files are written (default `os.tmpdir()`). */
	readonly directory?: string;
}

const fileOptionKeys = new Set(["types", "maxBytes", "maxCount", "required"]);
const optionKeys = new Set(["files", "fields", "maxFields", "maxFieldBytes", "directory"]);
const defaultMaxFieldBytes = 65_536;
/** What a part may add around its content (boundary, headers), counted in the largest body a form may have. */
const partOverheadBytes = 2_048;

/** A file field as the reader uses it. */
export interface FileField {
	readonly name: string;
	readonly types: readonly string[];
	/** The accepted types recognised from magic bytes. */
	readonly binaryTypes: readonly string[];
	/** The accepted text types (no magic bytes). */
	readonly textTypes: readonly string[];
	readonly maxBytes: number;
	readonly maxCount: number;
	readonly required: boolean;
}

/** A route's multipart body, made by `multipart()`; its type parameters type the floor. */
export class Multipart<Files extends FileFields = FileFields, Fields extends ValueFields = ValueFields> {
	/** Type-only: never set at run time. */
	declare readonly types?: { files: Files; fields: Fields };
	readonly files: readonly FileField[];
	readonly fields: ValueFields;
	readonly maxFields: number;
	readonly maxFieldBytes: number;
	readonly directory: string;
	/** The largest body the form may have: a Content-Length above it is answered 413 before anything is read. */
	readonly maxBodyBytes: number;

	constructor(options: MultipartOptions<Files, Fields>) {
		const where = "multipart()";
		if (typeof options !== "object" || options === null) throw new DeclarationError(`${where} needs an object.`);
		for (const key of Object.keys(options))
			if (!optionKeys.has(key)) throw new DeclarationError(`${where}: unknown option "${key}".`);
		if (typeof options.files !== "object" || options.files === null)
			throw new DeclarationError(`${where}: files must be an object of file fields.`);
		this.files = Object.entries(options.files).map(([name, field]) => fileField(`${where}.files.${name}`, name, field));
		this.fields = options.fields ?? {};
		for (const [name, schema] of Object.entries(this.fields)) {
			if (!(schema instanceof z.ZodType)) throw new DeclarationError(`${where}.fields.${name} must be a zod schema.`);
			if (options.files[name] !== undefined)
				throw new DeclarationError(`${where}: "${name}" is both a file field and an ordinary field.`);
		}
		this.maxFields = positiveInteger(`${where}.maxFields`, options.maxFields ?? Object.keys(this.fields).length, true);
		this.maxFieldBytes = positiveInteger(`${where}.maxFieldBytes`, options.maxFieldBytes ?? defaultMaxFieldBytes);
		this.directory = options.directory ?? tmpdir();
		if (typeof this.directory !== "string" || this.directory === "")
			throw new DeclarationError(`${where}.directory must be a path.`);
		const fileCount = this.files.reduce((sum, field) => sum + field.maxCount, 0);
		this.maxBodyBytes =
			this.files.reduce((sum, field) => sum + field.maxBytes * field.maxCount, 0) +
			this.maxFields * this.maxFieldBytes +
			(fileCount + this.maxFields + 1) * partOverheadBytes;
	}

	/** Every key the form drops on the floor: its file fields, then its ordinary fields. */
	get keys(): string[] {
		return [...this.files.map((field) => field.name), ...Object.keys(this.fields)];
	}
}

export type AnyMultipart = Multipart<any, any>;

function positiveInteger(where: string, value: unknown, zeroAllowed = false): number {
	if (typeof value !== "number" || !Number.isSafeInteger(value) || value < (zeroAllowed ? 0 : 1))
		throw new DeclarationError(`${where} must be a ${zeroAllowed ? "non-negative" : "positive"} integer.`);
	return value;
}

function fileField(where: string, name: string, options: FileFieldOptions): FileField {
	if (typeof options !== "object" || options === null) throw new DeclarationError(`${where} must be an object.`);
	for (const key of Object.keys(options))
		if (!fileOptionKeys.has(key)) throw new DeclarationError(`${where}: unknown option "${key}".`);
	if (!Array.isArray(options.types) || options.types.length === 0)
		throw new DeclarationError(`${where}.types must list at least one type.`);
	const binaryTypes: string[] = [];
	const textTypes: string[] = [];
	for (const type of options.types) {
		if (typeof type !== "string" || type !== type.toLowerCase())
			throw new DeclarationError(`${where}.types: "${String(type)}" must be a lower-case media type.`);
		if (supportedMimeTypes.has(type)) binaryTypes.push(type);
		else if (type.startsWith("text/")) textTypes.push(type);
		else
			throw new DeclarationError(
				`${where}.types: ${type} cannot be recognised from its content (not a type file-type knows, nor text/*).`,
			);
	}
	if (options.required !== undefined && typeof options.required !== "boolean")
		throw new DeclarationError(`${where}.required must be true or false.`);
	return {
		name,
		types: [...options.types],
		binaryTypes,
		textTypes,
		maxBytes: positiveInteger(`${where}.maxBytes`, options.maxBytes),
		maxCount: positiveInteger(`${where}.maxCount`, options.maxCount ?? 1),
		required: options.required ?? true,
	};
}

type NoExtraKeys<Given, Allowed extends PropertyKey> = { [K in Exclude<keyof Given, Allowed>]: never };

/**
 * Declares a multipart/form-data body, for `extract({ multipart: multipart({...}) })`: its file fields (accepted
 * types, largest size, how many, required or not) and its ordinary fields (zod schemas). Each file field and each
 * ordinary field is dropped on the floor under its own name.
 */
export function multipart<const Files extends FileFields, const Fields extends ValueFields = Record<never, never>>(
	options: MultipartOptions<Files, Fields> & {
		readonly files: { [K in keyof Files]: NoExtraKeys<Files[K], keyof FileFieldOptions> };
	} & NoExtraKeys<MultipartOptions<Files, Fields>, keyof MultipartOptions>,
	// NoInfer: inside `extract({ multipart: … })` the expected type would otherwise infer the fields left out as `any`.
): Multipart<NoInfer<Files>, NoInfer<Fields>> {
	return new Multipart(options);
}

// ---------------------------------------------------------------------------------------------------
// What the declaration drops on the floor.

type OneFile<O> = O extends { readonly required: false } ? UploadedFile | undefined : UploadedFile;
type FileValue<O> = O extends { readonly maxCount: infer M }
	? [M] extends [1]
		? OneFile<O>
		: UploadedFile[]
	: OneFile<O>;

/** The floor of a multipart declaration: each file field (a file, an optional one, or an array), each ordinary field. */
export type MultipartFloor<M> =
	M extends Multipart<infer Files, infer Fields>
		? { -readonly [K in keyof Files]: FileValue<Files[K]> } & {
				-readonly [K in keyof Fields]: Fields[K] extends z.ZodType ? z.output<Fields[K]> : never;
			}
		: unknown;

/** What the reader leaves in `request.body` for the extract step: the files received and the raw field values. */
export class MultipartBody {
	readonly files = new Map<string, UploadedFile[]>();
	readonly fields: Record<string, string | string[]> = {};
}

/** The media type a multipart route reads; any other answers 415. */
export const multipartMediaType = "multipart/form-data";

// ---------------------------------------------------------------------------------------------------
// The extract step.

/**
 * The extract step of a multipart declaration: a required file field must have a file, the ordinary fields must
 * pass their schemas; then each is dropped under its name. Problems answer like any extract part:
 * `TYPE_ERROR.multipart.<key>` with every issue found.
 */
export function compileMultipartExtract(
	declaration: AnyMultipart,
	onError: ExtractErrorHandler,
): (floor: RuntimeFloor, request: Request, response: Response) => void {
	const fieldSchema = z.object(declaration.fields);
	const fieldKeys = Object.keys(declaration.fields);
	const files = declaration.files;
	return (floor, request, response) => {
		const body = request.body instanceof MultipartBody ? request.body : new MultipartBody();
		const issues: z.core.$ZodIssue[] = [];
		for (const field of files) {
			if (field.required && !body.files.has(field.name))
				issues.push({
					code: "invalid_type",
					expected: "file",
					path: [field.name],
					message: "Invalid input: expected a file, received none",
				});
		}
		const parsed = fieldSchema.safeParse(body.fields);
		if (!parsed.success) issues.push(...parsed.error.issues);
		if (issues.length > 0) {
			const key = issues[0]?.path[0];
			onError(response, "multipart", typeof key === "string" ? key : undefined, new z.ZodError(issues));
			throw new NoResponseSentError("The extract error handler");
		}
		for (const field of files) {
			const received = body.files.get(field.name) ?? [];
			floor.drop(field.name, field.maxCount === 1 ? received[0] : received);
		}
		const values = parsed.data as Record<string, unknown>;
		for (const key of fieldKeys) floor.drop(key, values[key]);
	};
}
