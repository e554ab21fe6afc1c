import { Observable, Subject, filter, map, type Subscription } from 'rxjs';
import { splitTrainValid, type SplitOptions, type SplitPart, type SplitRecord } from './splitTrainValid.ts';

/**
 * The split of `splitTrainValid()` as two separate streams, `[train$, valid$]`, that share one
 * subscription to the source (like RxJS's `partition`, but the source is read once, not twice).
 * The source starts when both parts have a subscriber, so values are never lost to the part
 * subscribed second; once both parts' subscribers are gone, the next pair starts it again.
 *
 * @example
 * const [train$, valid$] = partitionTrainValid(readDigits('data/train.csv').pipe(normalize()));
 * const [train, valid] = await firstValueFrom(forkJoin([train$.pipe(toDataset()), valid$.pipe(toDataset())]));
 */
export function partitionTrainValid<T extends { label?: number }>(
  source: Observable<T>,
  options: SplitOptions = {},
): [train: Observable<T>, valid: Observable<T>] {
  const tagged = source.pipe(splitTrainValid<T>(options));
  const subscribers: Record<SplitPart, number> = { train: 0, valid: 0 };
  let hub: Subject<SplitRecord<T>> | undefined;
  let connection: Subscription | undefined;

  const reset = (): void => {
    const running = connection;
    hub = connection = undefined;
    running?.unsubscribe();
  };
  const connect = (): void => {
    const current = hub!;
    const subscription = tagged.subscribe(current);
    // A synchronous source may already have completed, and everything reset, during subscribe.
    if (hub === current) connection = subscription;
  };
  const part = (name: SplitPart): Observable<T> =>
    new Observable<T>((subscriber) => {
      hub ??= new Subject<SplitRecord<T>>();
      const inner = hub
        .pipe(
          filter((value) => value.part === name),
          map((value) => value.record),
        )
        .subscribe(subscriber);
      subscribers[name]++;
      if (!connection && subscribers.train > 0 && subscribers.valid > 0) connect();
      return () => {
        inner.unsubscribe();
        subscribers[name]--;
        if (subscribers.train === 0 && subscribers.valid === 0) reset();
      };
    });
  return [part('train'), part('valid')];
}
