import type { Readable } from 'node:stream';
import { Observable, type OperatorFunction } from 'rxjs';

/*
 * Bridges between RxJS and Node's streaming world, so that a stage of a pipeline can be embedded
 * in a Node stream.pipeline, fed by any async iterable, or drained with `for await`.
 */

/**
 * An Observable of a Node Readable's chunks (objects, in object mode). Completes on 'end', fails on
 * 'error' or on a close before the end; unsubscribing destroys the stream.
 *
 * @example
 * fromReadable<DigitRecord>(recordStream).pipe(normalize())
 */
export function fromReadable<T>(stream: Readable): Observable<T> {
  return new Observable<T>((subscriber) => {
    const onData = (chunk: T): void => subscriber.next(chunk);
    const onEnd = (): void => subscriber.complete();
    const onError = (error: Error): void => subscriber.error(error);
    const onClose = (): void => {
      if (!stream.readableEnded) subscriber.error(new Error('fromReadable: the stream closed before its end'));
    };
    stream.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
    return () => {
      stream.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (!stream.readableEnded) stream.destroy();
    };
  });
}

/**
 * An Observable that pulls from any async iterable, one value at a time; unsubscribing calls the
 * iterator's `return()` at once (RxJS's own `from()` waits for the next value first). `beforePull`,
 * when given, is awaited before each pull: it lets a consumer hold the source back.
 *
 * @example
 * fromAsyncIterable(readline.createInterface({ input })).pipe(map(parseLine))
 */
export function fromAsyncIterable<T>(
  iterable: AsyncIterable<T>,
  beforePull?: () => Promise<void>,
): Observable<T> {
  return new Observable<T>((subscriber) => {
    const iterator = iterable[Symbol.asyncIterator]();
    const pull = async (): Promise<void> => {
      while (!subscriber.closed) {
        if (beforePull) await beforePull();
        if (subscriber.closed) return;
        const step = await iterator.next();
        if (step.done) {
          subscriber.complete();
          return;
        }
        subscriber.next(step.value);
      }
    };
    pull().catch((error: unknown) => subscriber.error(error));
    return () => {
      void iterator.return?.()?.catch(() => undefined);
    };
  });
}

/** Back-pressure options of {@link toAsyncIterable}. */
export interface AsyncSinkOptions {
  /**
   * Number of values not yet read at which `onPressure(true)` is called (default 1024). It is a
   * signal, not a cap: values that keep arriving are still buffered.
   */
  highWaterMark?: number;
  /**
   * Called with `true` when the unread buffer reaches `highWaterMark`, and with `false` once it has
   * been read empty or the loop is left; `pipelineStage` uses it to pause its source.
   */
  onPressure?: (full: boolean) => void;
}

/**
 * Subscribes to `source` on the first read and yields its values with `for await`. Values that
 * arrive faster than they are read are buffered; an error is thrown from the read after the
 * values before it; leaving the loop early unsubscribes.
 *
 * @example
 * for await (const record of toAsyncIterable(records$.pipe(normalize()))) write(record);
 */
export function toAsyncIterable<T>(source: Observable<T>, options: AsyncSinkOptions = {}): AsyncIterableIterator<T> {
  const { highWaterMark = 1024, onPressure } = options;
  const buffer: T[] = [];
  let head = 0;
  let finished = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  let subscription: ReturnType<Observable<T>['subscribe']> | undefined;
  let full = false;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  const start = (): void => {
    if (finished) return;
    subscription ??= source.subscribe({
      next: (value) => {
        buffer.push(value);
        if (!full && buffer.length - head >= highWaterMark) {
          full = true;
          onPressure?.(true);
        }
        notify();
      },
      error: (error: unknown) => {
        failure = { error };
        finished = true;
        notify();
      },
      complete: () => {
        finished = true;
        notify();
      },
    });
  };
  const stop = (): void => {
    finished = true;
    buffer.length = head = 0;
    subscription?.unsubscribe();
    if (full) {
      full = false;
      onPressure?.(false);
    }
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next(): Promise<IteratorResult<T>> {
      start();
      while (head === buffer.length && !finished) await new Promise<void>((resolve) => (wake = resolve));
      if (head < buffer.length) {
        const value = buffer[head++];
        if (head === buffer.length) {
          buffer.length = head = 0;
          if (full) {
            full = false;
            onPressure?.(false);
          }
        }
        return { value, done: false };
      }
      if (failure) {
        const { error } = failure;
        failure = undefined;
        throw error;
      }
      return { value: undefined, done: true };
    },
    async return(): Promise<IteratorResult<T>> {
      stop();
      return { value: undefined, done: true };
    },
  };
}

/**
 * An operator chain as a stage for Node's `stream.pipeline` (or any async-iterable plumbing): it
 * takes the previous stage's async iterable and yields the operator's output. The source is paused
 * while the output waits, so memory stays bounded by `highWaterMark` for one-to-one operators.
 *
 * @example
 * await pipeline(Readable.from(records), pipelineStage(normalize()), outputStream)
 */
export function pipelineStage<I, O>(
  operator: OperatorFunction<I, O>,
  highWaterMark = 1024,
): (source: AsyncIterable<I>) => AsyncIterableIterator<O> {
  return (source) => {
    let resume: (() => void) | undefined;
    let paused: Promise<void> | undefined;
    const onPressure = (full: boolean): void => {
      if (full) {
        paused = new Promise((resolve) => (resume = resolve));
      } else {
        resume?.();
        paused = resume = undefined;
      }
    };
    const beforePull = async (): Promise<void> => {
      while (paused) await paused;
    };
    return toAsyncIterable(fromAsyncIterable(source, beforePull).pipe(operator), { highWaterMark, onPressure });
  };
}
