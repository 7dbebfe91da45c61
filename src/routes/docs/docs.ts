// GET /openapi.json, GET /docs and its assets: the API's OpenAPI document and a Swagger UI page served from node_modules.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type App, text } from "../../core/index.js";
import { buildOpenApiDocument } from "../../openapi.js";
import { docsAnswers } from "./answers.js";

// No CDN: the UI is served from the installed swagger-ui-dist, so the page works offline.
const swaggerUiDirectory = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));

/** The only files of swagger-ui-dist the page loads (and the source maps devtools ask for): nothing else is reachable. */
const assets = new Set([
	"swagger-ui.css",
	"swagger-ui.css.map",
	"swagger-ui-bundle.js",
	"swagger-ui-bundle.js.map",
	"favicon-32x32.png",
	"favicon-16x16.png",
]);

const page = `<!doctype html>
<html lang="en">
<head>
	<meta charset="utf-8">
	<meta name="viewport" content="width=device-width, initial-scale=1">
	<title>Dofus Manager API</title>
	<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
	<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
</head>
<body>
	<div id="swagger-ui"></div>
	<script src="/docs/assets/swagger-ui-bundle.js"></script>
	<script>
		window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true, withCredentials: true });
	</script>
</body>
</html>
`;

export function declareDocsRoutes(app: App): void {
	// Generated on the first request, once every route is declared (the app is built by then), then reused.
	let document: string | undefined;

	app.declareRoute("GET", "/openapi.json").handler((_floor, response) => {
		document ??= JSON.stringify(buildOpenApiDocument(app));
		return response
			.code(docsAnswers.document.code)
			.info(docsAnswers.document.info)
			.header("content-type", "application/json; charset=utf-8")
			.send(document);
	}, docsAnswers.document);

	app
		.declareRoute("GET", "/docs")
		.handler(
			(_floor, response) =>
				response
					.code(docsAnswers.page.code)
					.info(docsAnswers.page.info)
					.header("content-type", "text/html; charset=utf-8")
					.send(page),
			docsAnswers.page,
		);

	app
		.declareRoute("GET", "/docs/assets/{file}")
		.extract({ params: { file: text() } })
		.cut(
			({ pickup }, response) => {
				if (!assets.has(pickup("file"))) docsAnswers.assetNotFound.send(response);
			},
			[],
			docsAnswers.assetNotFound,
		)
		.handler(
			({ pickup }, response) =>
				response
					.code(docsAnswers.asset.code)
					.info(docsAnswers.asset.info)
					.sendFile(join(swaggerUiDirectory, pickup("file"))),
			docsAnswers.asset,
		);
}
