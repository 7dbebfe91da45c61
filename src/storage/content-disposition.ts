// The Content-Disposition value of a download (RFC 6266): inline or attachment, with a file name any browser reads.

/**
 * `inline`, or `attachment`, with the name twice: `filename` as a plain ASCII fallback (anything else, quotes and
 * backslashes become `_`) and `filename*` in RFC 5987 UTF-8 for browsers that read it. Path separators and control
 * characters are dropped first, so a client's original name cannot smuggle a directory or a header line.
 */
export function contentDisposition(disposition: "inline" | "attachment", fileName?: string): string {
	if (fileName === undefined) return disposition;
	const cleaned = fileName
		// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
		.replace(/[\u0000-\u001f\u007f/\\]/g, "")
		.trim()
		.slice(0, 200);
	if (cleaned === "") return disposition;
	const fallback = cleaned.replace(/[^\x20-\x7e]|["\\%]/g, "_");
	const encoded = encodeURIComponent(cleaned).replace(
		/['()*]/g,
		(character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
	);
	return `${disposition}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
