import type { EpochStats, TrainEvent } from '../types.ts';
import type { EnsembleMemberFailedEvent } from './ensembleJobs.ts';
import type { EnsembleMemberEvent } from './trainEnsemble.ts';
import type { Reporter, Task } from './reporter.ts';

/** One line for an epoch: train and validation loss / accuracy, time, throughput. */
export function describeEpoch(model: string, epochs: number, e: EpochStats): string {
  const valid = e.validLoss === undefined ? '' : `  valid loss ${e.validLoss.toFixed(4)} acc ${(100 * e.validAccuracy!).toFixed(2)}%`;
  return `${model} epoch ${e.epoch}/${epochs}: loss ${e.loss.toFixed(4)} acc ${(100 * e.accuracy).toFixed(2)}%${valid}  ${e.seconds.toFixed(1)} s, ${Math.round(e.samplesPerSec).toLocaleString('en-US')} samples/s`;
}

/**
 * Shows a model's training events: a bar per epoch with live loss / accuracy / samples per second,
 * a summary line per epoch, and every event as JSON for --json. An ensemble's `member` events start
 * a line per member, and the member's epochs are labelled `cnn 2/5`.
 */
export function trainingProgress(reporter: Reporter, model: string, epochs: number): (event: TrainEvent | EnsembleMemberEvent | EnsembleMemberFailedEvent) => void {
  let task: Task | undefined;
  let label = model;
  return (event) => {
    reporter.event({ ...event, model });
    switch (event.type) {
      case 'member':
        label = `${model} ${event.member}/${event.members}`;
        reporter.info(`${model}: ensemble member ${event.member} of ${event.members} (seed ${event.seed})`);
        break;
      case 'member-failed':
        reporter.info(`${model}: ensemble member ${event.member} of ${event.members} failed after ${event.attempts} attempt${event.attempts === 1 ? '' : 's'}, left out: ${event.error}`);
        break;
      case 'batch':
        task ??= reporter.task(`${label} epoch ${event.epoch}/${epochs}`, event.batchesPerEpoch, 'batches');
        task.update(event.batch, {
          loss: event.loss,
          acc: event.accuracy,
          'samples/s': Math.round(event.samplesPerSec),
        });
        break;
      case 'epoch':
        (task ?? reporter.task(`${label} epoch ${event.epoch}/${epochs}`, 1)).finish(describeEpoch(label, epochs, event));
        task = undefined;
        break;
      case 'done':
        reporter.info(
          `${label}: trained ${event.history.length} epochs in ${event.seconds.toFixed(1)} s${event.stoppedEarly ? ` (stopped early; best epoch ${event.bestEpoch})` : ''}`,
        );
        break;
    }
  };
}
