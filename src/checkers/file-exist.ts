// Checker `fileExist`: loads a stored file by id (pending files are not files yet).
import { createChecker } from "../core/index.js";
import type { FileService } from "../services/files.js";

export function createFileExist(files: Pick<FileService, "find">) {
	return createChecker("fileExist").handler(async (fileId: string, output) => {
		const file = await files.find(fileId);
		return file === undefined ? output("file.notfound", null) : output("file.exist", file);
	});
}
