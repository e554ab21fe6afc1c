/**
 * Selects a backend from the JSON options given, runs one op and prints the BackendInfo as JSON,
 * then returns without process.exit: selectBackend.test.ts checks that the process ends by itself
 * (XNNPACK's pool threads must not keep Node alive).
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendOptions } from '../../lib/backend/selectBackend.ts';

const info = await selectBackend(JSON.parse(process.argv[2] ?? '{}') as BackendOptions);
tf.tidy(() => tf.matMul(tf.ones([64, 64]), tf.ones([64, 64])).dataSync());
console.log(JSON.stringify({ ...info, active: tf.getBackend() }));
