// What the documentation routes answer, each said once: the routes send these values and declare them.
// None declares a body schema (a serialised document, a page, a file), so the routes start each answer from
// the value's code and info and send the body themselves.
import { answer } from "../../core/index.js";

export const docsAnswers = {
	document: answer(200, "openapi.document"),
	page: answer(200, "docs.page"),
	asset: answer(200, "docs.asset"),
	/** Sent with an `{ error, message }` body that its declaration does not describe. */
	assetNotFound: answer(404, "docs.asset.notfound"),
};
