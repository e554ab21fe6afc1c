import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BufferPool } from '../../../lib/backend/native/bufferPool.ts';
import { describeNative, nativeBackend, randomArray, useNative } from './nativeTest.ts';

/** The array the native backend stores for a tensor (read without a readSync, so nothing is exposed). */
function stored(t: tf.Tensor): Float32Array {
  return nativeBackend().data.get(t.dataId).values as Float32Array;
}

describe('BufferPool', () => {
  it('takes arrays of the asked length, a new buffer each while none is free', () => {
    const pool = new BufferPool();
    const a = pool.take(10);
    const b = pool.take(10);
    expect(a).toBeInstanceOf(Float32Array);
    expect(a.length).toBe(10);
    expect(a.buffer).not.toBe(b.buffer);
    expect(pool.stats()).toEqual({ held: 2, freeBytes: 0 });
  });

  it('reuses a released buffer for the next take of the same byte size only', () => {
    const pool = new BufferPool();
    const a = pool.take(10);
    pool.release(a); // taken but never stored: a kernel's scratch or abandoned output
    expect(pool.stats()).toEqual({ held: 0, freeBytes: 40 });
    expect(pool.take(5).buffer).not.toBe(a.buffer);
    expect(pool.stats().freeBytes).toBe(40);
    const again = pool.take(10);
    expect(again.buffer).toBe(a.buffer);
    expect(again.length).toBe(10);
    expect(pool.stats()).toEqual({ held: 2, freeBytes: 0 });
  });

  it('keeps a buffer while any holder (a tensor, or a view of it) remains', () => {
    const pool = new BufferPool();
    const a = pool.take(8);
    pool.hold(a); // the tensor stored
    pool.hold(a.subarray(2, 6)); // a slice sharing the buffer
    pool.release(a);
    expect(pool.stats()).toEqual({ held: 1, freeBytes: 0 });
    expect(pool.take(8).buffer).not.toBe(a.buffer);
    pool.release(a.subarray(2, 6));
    expect(pool.stats().freeBytes).toBe(32);
    expect(pool.take(8).buffer).toBe(a.buffer);
  });

  it('never reuses an exposed buffer, even once every holder is gone', () => {
    const pool = new BufferPool();
    const a = pool.take(8);
    pool.hold(a);
    pool.expose(a.subarray(1)); // dataSync of a view: the whole buffer leaves
    expect(pool.stats().held).toBe(0);
    pool.release(a);
    expect(pool.stats()).toEqual({ held: 0, freeBytes: 0 });
    expect(pool.take(8).buffer).not.toBe(a.buffer);
  });

  it('ignores arrays it did not make', () => {
    const pool = new BufferPool();
    pool.take(4);
    const foreign = new Float32Array(4);
    for (const values of [foreign, new Int32Array(4), undefined, 'text', [1, 2, 3]]) {
      pool.hold(values);
      pool.release(values);
      pool.release(values);
      pool.expose(values);
    }
    expect(pool.stats()).toEqual({ held: 1, freeBytes: 0 });
    expect(pool.take(4).buffer).not.toBe(foreign.buffer);
  });

  it('keeps at most maxFreeBytes idle and leaves the rest to the garbage collector', () => {
    const pool = new BufferPool(100);
    const arrays = [pool.take(10), pool.take(10), pool.take(10)]; // 40 bytes each
    arrays.forEach((a) => pool.release(a));
    expect(pool.stats()).toEqual({ held: 0, freeBytes: 80 });
    const reused = [pool.take(10), pool.take(10), pool.take(10)].map((a) => arrays.findIndex((b) => b.buffer === a.buffer));
    expect(reused.filter((i) => i >= 0).sort()).toEqual([0, 1]);
    expect(reused.filter((i) => i < 0).length).toBe(1);
    expect(pool.stats()).toEqual({ held: 3, freeBytes: 0 });
  });

  it('drops its idle buffers on clear', () => {
    const pool = new BufferPool();
    const a = pool.take(6);
    pool.release(a);
    pool.clear();
    expect(pool.stats()).toEqual({ held: 0, freeBytes: 0 });
    expect(pool.take(6).buffer).not.toBe(a.buffer);
  });
});

describeNative("the pool's promises through the native backend", () => {
  beforeAll(async () => {
    await useNative();
  });

  const x = randomArray([4, 6], 1);
  const y = randomArray([4, 6], 2);

  it('a disposed output nobody read gives its buffer to the next output of its size', async () => {
    await tf.setBackend('native');
    const [a, b] = [tf.tensor2d(x, [4, 6]), tf.tensor2d(y, [4, 6])];
    const sum = tf.add(a, b);
    const buffer = stored(sum).buffer;
    sum.dispose();
    const product = tf.mul(a, b);
    expect(stored(product).buffer).toBe(buffer);
    tf.dispose([a, b, product]);
  });

  it.each([
    ['dataSync()', (t: tf.Tensor) => Promise.resolve(t.dataSync())],
    ['data()', (t: tf.Tensor) => t.data()],
  ] as const)('an array from %s keeps its values after the tensor is disposed and more kernels run', async (_name, read) => {
    await tf.setBackend('native');
    const [a, b] = [tf.tensor2d(x, [4, 6]), tf.tensor2d(y, [4, 6])];
    const sum = tf.add(a, b);
    const values = (await read(sum)) as Float32Array;
    // The cpu backend hands out the array it stores, so only the pool's promise protects it.
    expect(values).toBe(stored(sum));
    const expected = values.slice();
    sum.dispose();
    const made: tf.Tensor[] = [];
    for (let i = 0; i < 10; i++) {
      const t = tf.tidy(() => (i % 2 === 0 ? tf.mul(a, b) : tf.sub(a, tf.scalar(i))));
      expect(stored(t).buffer).not.toBe(values.buffer);
      if (i % 3 === 0) made.push(t);
      else t.dispose();
    }
    expect(values).toEqual(expected);
    tf.dispose([a, b, ...made]);
  });

  it('a slice view keeps its values after its source is disposed and other kernels of the same size run', async () => {
    await tf.setBackend('native');
    const source = tf.tidy(() => tf.add(tf.tensor2d(x, [4, 6]), tf.scalar(1)));
    const view = tf.slice(source, [1, 0], [2, 6]);
    // The cpu backend's simple slice shares the source's buffer.
    expect(stored(view).buffer).toBe(stored(source).buffer);
    expect(stored(view).byteOffset).toBe(6 * 4);
    const shared = stored(view).buffer;
    source.dispose();
    const other = tf.tensor2d(y, [4, 6]);
    const sameSize = Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? tf.exp(other) : tf.add(other, other)));
    const halfSize = Array.from({ length: 4 }, () => tf.tidy(() => tf.neg(tf.slice(other, [0, 0], [2, 6]))));
    for (const t of [...sameSize, ...halfSize]) expect(stored(t).buffer).not.toBe(shared);
    const expected = Float32Array.from(x.subarray(6, 18), (v) => v + 1);
    expect(view.dataSync()).toEqual(expected);
    tf.dispose([view, other, ...sameSize, ...halfSize]);
  });

  it('the shared buffer returns to the pool once the view goes too, if nobody read either', async () => {
    await tf.setBackend('native');
    const source = tf.tidy(() => tf.add(tf.tensor2d(x, [4, 6]), tf.scalar(1)));
    const view = tf.slice(source, [1, 0], [2, 6]);
    const shared = stored(source).buffer;
    source.dispose();
    const other = tf.tensor2d(y, [4, 6]);
    const whileViewed = tf.exp(other);
    expect(stored(whileViewed).buffer).not.toBe(shared);
    view.dispose();
    const after = tf.tanh(other);
    expect(stored(after).buffer).toBe(shared);
    tf.dispose([other, whileViewed, after]);
  });

  it('a reshape of an output keeps its values after the original is disposed', async () => {
    await tf.setBackend('native');
    const source = tf.tidy(() => tf.mul(tf.tensor2d(x, [4, 6]), tf.scalar(2)));
    const reshaped = tf.reshape(source, [3, 8]);
    source.dispose();
    const others = Array.from({ length: 4 }, () => tf.tidy(() => tf.sqrt(tf.abs(tf.tensor2d(y, [4, 6])))));
    expect(reshaped.dataSync()).toEqual(Float32Array.from(x, (v) => v * 2));
    tf.dispose([reshaped, ...others]);
  });

  it('every native output a test made and disposed is released: held is back where it started', async () => {
    await tf.setBackend('native');
    const pool = nativeBackend().pool;
    const held = pool.stats().held;
    const kept = tf.tidy(() => {
      const a = tf.tensor2d(x, [4, 6]);
      const h = tf.relu(tf.matMul(a, a, false, true));
      return tf.slice(h, [0, 0], [2, 4]);
    });
    expect(pool.stats().held).toBe(held + 1); // the relu's output, through its slice
    kept.dispose();
    expect(pool.stats().held).toBe(held);
  });
});
