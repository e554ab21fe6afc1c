/**
 * Runs oneDNN's kernels (sgemm, convolutions) on the native backend many times; signals.test.ts runs
 * it under `node --cpu-prof`, whose profiler interrupts the main thread with signals all along.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../../lib/backend/selectBackend.ts';

await selectBackend({ backend: 'native' });
const a = tf.randomNormal([128, 784]);
const w = tf.randomNormal([784, 512]);
const images = tf.randomNormal([32, 28, 28, 8]);
const filter = tf.randomNormal([3, 3, 8, 16]);
let checksum = 0;
for (let i = 0; i < 40; i++) {
  checksum += tf.tidy(() => tf.sum(tf.matMul(a, w)).dataSync()[0] + tf.sum(tf.conv2d(images as tf.Tensor4D, filter as tf.Tensor4D, 1, 'same')).dataSync()[0]);
}
console.log(`done ${Number.isFinite(checksum)}`);
