import { join } from 'node:path';
import { loadNativeAddon } from '../../lib/backend/native/addon.ts';
import { selectBackend } from '../../lib/backend/selectBackend.ts';
import { DigitDataset, ImageDataset } from '../../lib/data/dataset.ts';
import { classCount, pixelCount, type ImageFormat } from '../../lib/data/format.ts';
import { seededRandom } from '../../lib/data/random.ts';
import { mnistDataDir, readIdxDigits, type MnistDigits } from '../../lib/io/idx.ts';
import { PIXELS } from '../../lib/types.ts';

let digits: Promise<MnistDigits> | undefined;

/** Rows [offset, offset + count) of the real MNIST test file (10,000 labelled digits), as a dataset. */
export async function mnistRows(offset: number, count: number): Promise<DigitDataset> {
  const dir = mnistDataDir();
  digits ??= readIdxDigits(join(dir, 't10k-images-idx3-ubyte'), join(dir, 't10k-labels-idx1-ubyte'));
  const { images, labels } = await digits;
  const ids = Int32Array.from({ length: count }, (_, i) => i + 1);
  return new DigitDataset(
    images.slice(offset * PIXELS, (offset + count) * PIXELS),
    ids,
    labels.slice(offset, offset + count),
  );
}

/**
 * The backend the CLI's `auto` picks here: native where the addon is built, else wasm with the
 * library's training kernels. The suite's `wasm` project sets DIGIT_FLOW_NATIVE=0, so these tests
 * run on both paths.
 */
export async function useTestBackend(): Promise<void> {
  await selectBackend({ backend: process.env.DIGIT_FLOW_NATIVE === '0' ? 'wasm' : 'auto' });
}

/** The backend `auto` picks in this process (tfjs-node is never installed in the test setup). */
export function autoBackendName(): 'native' | 'wasm' {
  return 'addon' in loadNativeAddon() ? 'native' : 'wasm';
}

/**
 * `count` images of `format` with seeded random values and labels (every class index in turn, so that
 * a small batch still covers several classes), as a labelled dataset.
 */
export function randomImages(format: ImageFormat, count: number, seed = 1): ImageDataset {
  const random = seededRandom(seed);
  const pixels = Uint8Array.from({ length: count * pixelCount(format) }, () => Math.floor(random() * 256));
  const labels = Uint8Array.from({ length: count }, (_, i) => i % classCount(format));
  return new ImageDataset(pixels, Int32Array.from({ length: count }, (_, i) => i + 1), labels, format);
}
