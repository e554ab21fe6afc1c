import type { EpochStats, TrainEvent } from '../types.ts';
import type { Reporter, Task } from './reporter.ts';

/** One line for an epoch: train and validation loss / accuracy, time, throughput. */
export function describeEpoch(model: string, epochs: number, e: EpochStats): string {
  const valid = e.validLoss === undefined ? '' : `  valid loss ${e.validLoss.toFixed(4)} acc ${(100 * e.validAccuracy!).toFixed(2)}%`;
  return `${model} epoch ${e.epoch}/${epochs}: loss ${e.loss.toFixed(4)} acc ${(100 * e.accuracy).toFixed(2)}%${valid}  ${e.seconds.toFixed(1)} s, ${Math.round(e.samplesPerSec).toLocaleString('en-US')} samples/s`;
}

/**
 * Shows a model's training events: a bar per epoch with live loss / accuracy / samples per second,
 * a summary line per epoch, and every event as JSON for --json.
 */
export function trainingProgress(reporter: Reporter, model: string, epochs: number): (event: TrainEvent) => void {
  let task: Task | undefined;
  return (event) => {
    reporter.event({ ...event, model });
    switch (event.type) {
      case 'batch':
        task ??= reporter.task(`${model} epoch ${event.epoch}/${epochs}`, event.batchesPerEpoch, 'batches');
        task.update(event.batch, {
          loss: event.loss,
          acc: event.accuracy,
          'samples/s': Math.round(event.samplesPerSec),
        });
        break;
      case 'epoch':
        (task ?? reporter.task(`${model} epoch ${event.epoch}/${epochs}`, 1)).finish(describeEpoch(model, epochs, event));
        task = undefined;
        break;
      case 'done':
        reporter.info(
          `${model}: trained ${event.history.length} epochs in ${event.seconds.toFixed(1)} s${event.stoppedEarly ? ` (stopped early; best epoch ${event.bestEpoch})` : ''}`,
        );
        break;
    }
  };
}
