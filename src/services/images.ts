// Image processing with sharp: an uploaded picture decoded once and re-encoded as square WebP variants, metadata gone.
import sharp, { type Sharp } from "sharp";

/*
 * Why re-encode rather than store what was sent: the bytes served are then always ours (a valid WebP of a known size),
 * whatever the upload hid (EXIF with GPS positions, a polyglot file, a decoder exploit aimed at browsers), and a
 * portrait shown at 64 px does not cost the reader 2 MiB. sharp writes no metadata unless asked (`keepMetadata`), so
 * EXIF, XMP, ICC comments and the like are dropped; the EXIF orientation is applied first (`rotate()`).
 */

// libvips's operation cache keeps decoded images around for reuse: worthless for uploads (each image is seen once),
// and it would hold up to 50 MB per process. Off for the whole process; nothing else here uses sharp.
sharp.cache(false);

/** 40 megapixels (e.g. 8000 × 5000): more is refused before decoding, so a small file cannot unpack into gigabytes. */
export const maxInputPixels = 40_000_000;

export const variantType = "image/webp";

export interface ImageVariant {
	/** The side of the square, in pixels. */
	size: number;
	bytes: Buffer;
	contentType: typeof variantType;
}

/** The picture could not be decoded (truncated, corrupt, or larger than `maxInputPixels`). */
export class ImageUnreadableError extends Error {
	constructor(reason: string) {
		super(`the image could not be read: ${reason}`);
		this.name = "ImageUnreadableError";
	}
}

/**
 * Square WebP variants of the image in the file at `path`, one per side in `sizes` (largest first, e.g. `[256, 64]`):
 * cropped to the centre (`cover`), enlarged if smaller, first frame only for animations. Each variant is a few
 * kilobytes and is held in memory; the source is read from disk by libvips, which decodes it once for all variants.
 */
export async function squareVariants(path: string, sizes: readonly number[]): Promise<ImageVariant[]> {
	let source: Sharp;
	try {
		source = sharp(path, { limitInputPixels: maxInputPixels, failOn: "error" }).rotate();
		// Decoding errors surface here rather than once per variant.
		await source.metadata();
	} catch (error) {
		throw new ImageUnreadableError((error as Error).message);
	}
	try {
		return await Promise.all(
			sizes.map(async (size) => ({
				size,
				bytes: await source
					.clone()
					.resize(size, size, { fit: "cover", position: "centre" })
					.webp({ quality: 82, effort: 4 })
					.toBuffer(),
				contentType: variantType,
			})),
		);
	} catch (error) {
		throw new ImageUnreadableError((error as Error).message);
	}
}
