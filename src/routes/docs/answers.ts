// What the documentation routes answer, each said once: the routes send these values and declare them.
// The successes declare no body schema (a serialised document, a page, a file), so the routes start them
// from the value's code and info and send the body themselves.
import { answer, refusal } from "../../core/index.js";

export const docsAnswers = {
	document: answer(200, "openapi.document"),
	page: answer(200, "docs.page"),
	asset: answer(200, "docs.asset"),
	assetNotFound: refusal(404, "docs.asset.notfound", "No such documentation asset."),
};
