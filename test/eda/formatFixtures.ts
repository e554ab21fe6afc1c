import { ImageDataset } from '../../lib/data/dataset.ts';
import { imageFormat, pixelCount, type ImageFormat } from '../../lib/data/format.ts';
import { seededRandom } from '../../lib/data/random.ts';

/** 14 x 14 grey levels, three named classes whose labels differ from their names. */
export const GREY_14: ImageFormat = imageFormat({
  width: 14,
  height: 14,
  classes: [
    { label: 'c', name: 'circle' },
    { label: 's', name: 'square' },
    { label: 't', name: 'triangle' },
  ],
});

/** 32 x 32 RGB, five classes (CIFAR-like). */
export const RGB_32: ImageFormat = imageFormat({ width: 32, height: 32, channels: 3, classes: ['cat', 'dog', 'bird', 'frog', 'ship'] });

/** 12 x 10 grey (not square), forty classes with long names, to test crowded axes. */
export const FORTY: ImageFormat = imageFormat({
  width: 12,
  height: 10,
  classes: Array.from({ length: 40 }, (_, k) => ({ label: String(k + 100), name: `Category number ${k} with a long name` })),
});

/**
 * `n` labelled images of `format` with random values 0–255, class k's images brighter the higher k,
 * rows cycling through the classes so that every class is present when n >= its class count.
 */
export function randomImages(format: ImageFormat, n: number, seed = 1): ImageDataset {
  const random = seededRandom(seed);
  const values = pixelCount(format);
  const classes = format.classes.length;
  const pixels = new Uint8Array(n * values);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % classes;
    const top = 64 + Math.floor((191 * labels[i]) / Math.max(1, classes - 1));
    for (let v = 0; v < values; v++) pixels[i * values + v] = random() < 0.2 ? 0 : Math.floor(random() * top);
  }
  return new ImageDataset(pixels, Int32Array.from({ length: n }, (_, i) => i + 1), labels, format);
}

/** The three non-digit data sets the format tests run over, a few dozen rows each. */
export function formatSets(): Array<{ name: string; dataset: ImageDataset }> {
  return [
    { name: '14x14 grey, 3 classes', dataset: randomImages(GREY_14, 30, 1) },
    { name: '32x32 RGB, 5 classes', dataset: randomImages(RGB_32, 40, 2) },
    { name: '12x10 grey, 40 classes', dataset: randomImages(FORTY, 80, 3) },
  ];
}
