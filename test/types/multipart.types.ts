// Type tests of multipart bodies in extract, checked by `tsc --noEmit` (part of `npm test`): what the floor holds
// for each file and ordinary field, and the declarations that must not compile. Nothing here runs.
import { z } from "zod";
import { createApp, multipart, type UploadedFile } from "../../src/core/index.js";
import { unchecked } from "../helpers/unchecked.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(_proof?: T) => undefined;

const app = createApp({ environment: "TEST" });
const image = { types: ["image/png", "image/jpeg"], maxBytes: 2 * 1024 * 1024 } as const;

// Each file field and each ordinary field is a key of the floor, typed by its declaration.
app
	.declareRoute("PUT", "/portraits/{id}")
	.extract({
		params: { id: z.coerce.number() },
		multipart: multipart({
			files: {
				portrait: { ...image, maxCount: 1, required: true },
				banner: { ...image, required: false },
				gallery: { ...image, maxCount: 4 },
				thumbnail: image,
			},
			fields: { note: z.string().max(200).optional(), rank: z.coerce.number().int() },
			maxFields: 4,
		}),
	})
	.handler(({ pickup }, response) => {
		assertType<Equal<ReturnType<typeof pickup<"id">>, number>>();
		// Required by default, like a zod key; one file unless maxCount says more.
		assertType<Equal<ReturnType<typeof pickup<"portrait">>, UploadedFile>>();
		assertType<Equal<ReturnType<typeof pickup<"thumbnail">>, UploadedFile>>();
		assertType<Equal<ReturnType<typeof pickup<"banner">>, UploadedFile | undefined>>();
		assertType<Equal<ReturnType<typeof pickup<"gallery">>, UploadedFile[]>>();
		assertType<Equal<ReturnType<typeof pickup<"note">>, string | undefined>>();
		assertType<Equal<ReturnType<typeof pickup<"rank">>, number>>();
		const portrait = pickup("portrait");
		assertType<Equal<typeof portrait.sha256, string>>();
		assertType<Equal<typeof portrait.size, number>>();
		assertType<Equal<typeof portrait.declaredType, string>>();
		assertType<Equal<ReturnType<typeof portrait.moveTo>, Promise<void>>>();
		// @ts-expect-error an optional file may be missing
		pickup("banner").size;
		// @ts-expect-error a field never declared is not on the floor
		pickup("avatar");
		unchecked(response).code(200).send();
	});

// A form with files only: no ordinary field is on the floor.
app
	.declareRoute("POST", "/imports")
	.extract({ multipart: multipart({ files: { file: { types: ["text/csv"], maxBytes: 5_000_000 } } }) })
	.handler(({ pickup }, response) => {
		assertType<Equal<ReturnType<typeof pickup<"file">>, UploadedFile>>();
		// @ts-expect-error no ordinary field was declared
		pickup("note");
		unchecked(response).code(202).send();
	});

// A body is read one way: body or multipart.
app
	.declareRoute("POST", "/both")
	// @ts-expect-error body beside multipart
	.extract({ body: { name: z.string() }, multipart: multipart({ files: { file: image } }) });

// The extract part must be a declaration made by multipart().
app
	.declareRoute("POST", "/raw")
	// @ts-expect-error a plain object is not a multipart declaration
	.extract({ multipart: { files: { file: image } } });

// A file field needs its accepted types and its largest size.
// @ts-expect-error maxBytes is missing
multipart({ files: { file: { types: ["image/png"] } } });
// @ts-expect-error types is missing
multipart({ files: { file: { maxBytes: 1024 } } });
// @ts-expect-error at least one accepted type
multipart({ files: { file: { types: [], maxBytes: 1024 } } });
// @ts-expect-error a misspelt option is not silently ignored
multipart({ files: { file: { types: ["image/png"], maxBytes: 1024, maxSize: 10 } } });
// @ts-expect-error required is true or false
multipart({ files: { file: { types: ["image/png"], maxBytes: 1024, required: "yes" } } });
// @ts-expect-error ordinary fields are zod schemas
multipart({ files: {}, fields: { note: "text" } });
// @ts-expect-error an unknown option of the form
multipart({ files: {}, maxFiles: 3 });
