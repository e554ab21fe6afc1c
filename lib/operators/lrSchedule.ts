import { UserError } from '../errors.ts';

/** Where training is when a schedule is asked for the learning rate (epoch and batch count from 0). */
export interface ScheduleStep {
  epoch: number;
  batch: number;
  batchesPerEpoch: number;
  epochs: number;
}

/** The learning rate to use for one batch. */
export type LearningRateSchedule = (step: ScheduleStep) => number;

function progress({ epoch, batch, batchesPerEpoch, epochs }: ScheduleStep): number {
  return (epoch * batchesPerEpoch + batch) / (epochs * batchesPerEpoch);
}

function cosineBetween(from: number, to: number, t: number): number {
  return to + ((from - to) * (1 + Math.cos(Math.PI * t))) / 2;
}

/** Shape of the {@link oneCycle} schedule: the warm-up share and the start and end rates. */
export interface OneCycleOptions {
  /** Share of all steps spent warming up from `maxRate / startDivisor` to `maxRate` (default 0.25). */
  warmup?: number;
  /** The rate starts at `maxRate / startDivisor` (default 25). */
  startDivisor?: number;
  /** The rate ends at `maxRate / endDivisor` (default 1000). */
  endDivisor?: number;
}

/**
 * One-cycle schedule: a cosine warm-up to `maxRate`, then a cosine anneal to nearly zero, which lets
 * a short training budget use large rates early and still settle at the end.
 *
 * @example
 * dataset$.pipe(train(model, { epochs: 10, batchSize: 128, lrSchedule: oneCycle(3e-3) }))
 */
export function oneCycle(maxRate: number, options: OneCycleOptions = {}): LearningRateSchedule {
  const { warmup = 0.25, startDivisor = 25, endDivisor = 1000 } = options;
  if (!(maxRate > 0)) throw new UserError(`oneCycle: maxRate must be > 0, got ${maxRate}`);
  if (!(warmup >= 0 && warmup < 1)) throw new UserError(`oneCycle: warmup must be in [0, 1), got ${warmup}`);
  return (step) => {
    const t = progress(step);
    return t < warmup
      ? cosineBetween(maxRate, maxRate / startDivisor, 1 - t / warmup)
      : cosineBetween(maxRate, maxRate / endDivisor, (t - warmup) / (1 - warmup));
  };
}

/**
 * Step decay: `initialRate`, multiplied by `factor` every `everyEpochs` epochs.
 *
 * @example
 * train(model, { epochs: 30, batchSize: 80, lrSchedule: stepDecay(1e-3, 0.5, 10) })
 */
export function stepDecay(initialRate: number, factor: number, everyEpochs: number): LearningRateSchedule {
  if (!(initialRate > 0)) throw new UserError(`stepDecay: initialRate must be > 0, got ${initialRate}`);
  if (!(factor > 0)) throw new UserError(`stepDecay: factor must be > 0, got ${factor}`);
  if (!(Number.isInteger(everyEpochs) && everyEpochs >= 1)) {
    throw new UserError(`stepDecay: everyEpochs must be an integer >= 1, got ${everyEpochs}`);
  }
  return ({ epoch }) => initialRate * factor ** Math.floor(epoch / everyEpochs);
}
