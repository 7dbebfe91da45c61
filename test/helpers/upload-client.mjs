// Worker thread that posts bodies to a server over real sockets and reports what came back: run on its own event loop, like a separate client.
import { Agent, request as httpRequest } from "node:http";
import { parentPort, workerData } from "node:worker_threads";

/**
 * workerData: { port, path, payload (Uint8Array), contentType, sequential, concurrent, batch }.
 * `sequential` uploads go one after another on one kept-alive connection, declared lengths and chunked in
 * turn; then `concurrent` uploads, `batch` at a time, each on its own connection. Posts back one result per upload.
 */
const { port, path, contentType, sequential, concurrent, batch } = workerData;
const payload = Buffer.from(workerData.payload);

function upload(agent, chunked) {
	return new Promise((resolve) => {
		const result = { status: undefined, body: "", errors: [], reusedSocket: false };
		const headers = { "content-type": contentType };
		if (!chunked) headers["content-length"] = payload.length;
		const req = httpRequest({ host: "127.0.0.1", port, path, method: "POST", headers, agent }, (res) => {
			result.status = res.statusCode;
			res.setEncoding("utf8");
			res.on("data", (chunk) => (result.body += chunk));
			res.on("error", (error) => result.errors.push(`response ${error.code ?? error.message}`));
		});
		// Every error counts, even one after the answer arrived (EPIPE while still uploading).
		req.on("error", (error) => result.errors.push(error.code ?? error.message));
		req.on("close", () => {
			result.reusedSocket = req.reusedSocket;
			resolve(result);
		});
		// Declared lengths go in one write (as most clients do); chunked ones in 64 KiB pieces.
		if (!chunked) {
			req.end(payload);
			return;
		}
		let offset = 0;
		const writeMore = () => {
			while (offset < payload.length) {
				const chunk = payload.subarray(offset, offset + 65_536);
				offset += chunk.length;
				if (!req.write(chunk)) return void req.once("drain", writeMore);
			}
			req.end();
		};
		writeMore();
	});
}

const results = [];
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
for (let index = 0; index < sequential; index++) results.push(await upload(agent, index % 2 === 1));
agent.destroy();
for (let done = 0; done < concurrent; done += batch) {
	const size = Math.min(batch, concurrent - done);
	results.push(...(await Promise.all(Array.from({ length: size }, (_, index) => upload(false, index % 2 === 1)))));
}
parentPort.postMessage(results);
