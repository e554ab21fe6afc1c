/**
 * Float32 buffers for kernel outputs, reused once the tensors holding them are disposed. A training
 * step makes the same shapes every time, and a fresh multi-megabyte array costs the kernel more than
 * the work itself: the OS maps and zeroes new pages on first write, and V8 frees them again.
 *
 * A buffer goes back to the pool only when no tensor holds it any longer (views of it, such as the
 * cpu backend's slices, count as holders) and it was never handed out by a read: an array returned
 * by `dataSync()` belongs to its caller for good.
 */
export class BufferPool {
  /** Live tensors holding each buffer this pool made; a buffer absent here is not (or no longer) ours. */
  private readonly holders = new Map<ArrayBuffer, number>();
  private readonly free = new Map<number, ArrayBuffer[]>();
  private freeBytes = 0;

  constructor(
    /** Most bytes kept idle; past it, released buffers are left to the garbage collector. */
    private readonly maxFreeBytes = 256 * 2 ** 20,
  ) {}

  /** A Float32Array of `length` values, reused when one is free. Its contents are undefined. */
  take(length: number): Float32Array {
    const bytes = length * Float32Array.BYTES_PER_ELEMENT;
    const reused = this.free.get(bytes)?.pop();
    if (reused) this.freeBytes -= bytes;
    const buffer = reused ?? new ArrayBuffer(bytes);
    this.holders.set(buffer, 0);
    return new Float32Array(buffer);
  }

  /** A tensor now holds `values` (called when the backend stores it). */
  hold(values: unknown): void {
    const buffer = bufferOf(values);
    const count = buffer && this.holders.get(buffer);
    if (count !== undefined && buffer) this.holders.set(buffer, count + 1);
  }

  /** A tensor holding `values` was disposed; the buffer is free once no tensor holds it. */
  release(values: unknown): void {
    const buffer = bufferOf(values);
    const count = buffer && this.holders.get(buffer);
    if (count === undefined || !buffer) return;
    if (count > 1) {
      this.holders.set(buffer, count - 1);
      return;
    }
    this.holders.delete(buffer);
    if (this.freeBytes + buffer.byteLength > this.maxFreeBytes) return;
    const list = this.free.get(buffer.byteLength) ?? [];
    list.push(buffer);
    this.free.set(buffer.byteLength, list);
    this.freeBytes += buffer.byteLength;
  }

  /**
   * Whether `values` spans a buffer this pool made that exactly one storage entry holds and no read
   * ever handed out: nothing outside that entry can see a change to it.
   */
  soleHolder(values: Float32Array): boolean {
    const buffer = bufferOf(values);
    return buffer !== undefined && this.holders.get(buffer) === 1 && values.byteOffset === 0 && values.byteLength === buffer.byteLength;
  }

  /** `values` leaves the backend (a read): its buffer is never reused. */
  expose(values: unknown): void {
    const buffer = bufferOf(values);
    if (buffer) this.holders.delete(buffer);
  }

  /** Buffers made by {@link take} that tensors still hold, and bytes kept idle for reuse. */
  stats(): { held: number; freeBytes: number } {
    return { held: this.holders.size, freeBytes: this.freeBytes };
  }

  /** Drops the idle buffers. */
  clear(): void {
    this.free.clear();
    this.freeBytes = 0;
  }
}

function bufferOf(values: unknown): ArrayBuffer | undefined {
  return values instanceof Float32Array && values.buffer instanceof ArrayBuffer ? values.buffer : undefined;
}
