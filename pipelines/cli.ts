import { Command, InvalidArgumentError, Option } from 'commander';
// Only what the options need, from modules that load neither tfjs nor vega, arquero, ajv or bullmq:
// `--help` and a usage error answer at once. A command's own modules load when its action runs.
import { BACKEND_CHOICES } from '../lib/backend/backendChoice.ts';
import { parseImageSize, type ImageSize } from '../lib/data/format.ts';
import { DEFAULT_SEED } from '../lib/data/random.ts';
import { UserError } from '../lib/errors.ts';
import { DEFAULT_ATTEMPTS } from '../lib/jobs/runners/jobRunner.ts';
import { DEFAULT_QUEUE_NAME } from '../lib/jobs/runners/redisConnection.ts';
import { MODEL_NAMES, type ModelName } from '../lib/models/modelName.ts';
import { NAMED_RECIPES, RECIPE_NAMES } from '../lib/models/recipes.ts';
import type { ClassNaming, CsvLayout } from '../lib/index.ts';
import { runCommand } from './cliErrors.ts';
import type { ReporterMode } from './progress.ts';
import type { RunCommandOptions } from './runCommand.ts';
import type { TrainCommandOptions } from './trainCommand.ts';
import type { WorkerCommandOptions } from './workerCommand.ts';

/** Parses a positive integer option, with a one-line error naming the option. */
export function positiveInt(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
      throw new InvalidArgumentError(`${name} must be a positive integer, got '${value}'`);
    }
    return n;
  };
}

/** `--no-header`: how every command that reads CSV files is told they have no header line. */
function noHeaderOption(): Option {
  return new Option('--no-header', 'the CSV files have no header line: each line is a label then the pixels, or the pixels alone');
}

/**
 * The options that say how image CSVs are laid out, for every command that reads them: header,
 * line limit, image size, channel order, and (for training) the class names.
 */
function addLayoutOptions(command: Command, extras: { classes?: boolean; idColumn?: boolean } = {}): Command {
  command
    .addOption(noHeaderOption())
    .addOption(maxLineBytesOption())
    .addOption(new Option('--size <WxH[xC]>', 'image size when the pixel count does not say it (a square is grey, three squares RGB): 28x28, 30x20, 32x32x3').argParser(imageSize))
    .addOption(new Option('--channel-order <order>', 'how RGB rows list their values').choices(['interleaved', 'planar']).default('interleaved'));
  if (extras.idColumn) command.addOption(new Option('--id-column <name>', "the training file's id column (default: ImageId or id, any case)"));
  if (extras.classes) {
    command.addOption(
      new Option('--classes <names>', 'class names in label order, comma-separated: "T-shirt/top,Trouser,..." (default: the labels)').argParser(classNameList),
    );
    // the library calls them classNames: `classes` there are the format's classes
    command.hook('preAction', (cmd) => {
      const names: unknown = cmd.getOptionValue('classes');
      if (names !== undefined) cmd.setOptionValue('classNames', names);
    });
  }
  return command;
}

/** Parses `--size 32x32x3`, with a one-line error naming the option. */
function imageSize(value: string): ImageSize {
  try {
    return parseImageSize(value, '--size');
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message.replace(/^--size: /, ''));
  }
}

/** Parses `--classes a,b,c`: names trimmed, none empty, none twice. */
function classNameList(value: string): string[] {
  const names = value.split(',').map((name) => name.trim());
  if (names.some((name) => name === '')) throw new InvalidArgumentError(`an empty class name in '${value}'`);
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined) throw new InvalidArgumentError(`class name '${repeated}' is listed twice`);
  return names;
}

/** Parses `--submission-header id,label`: two column names. */
function submissionHeader(value: string): [string, string] {
  const names = value.split(',').map((name) => name.trim());
  if (names.length !== 2 || names.some((name) => !/^[^,"\r\n]+$/.test(name))) {
    throw new InvalidArgumentError(`expected two column names such as 'id,label', got '${value}'`);
  }
  return [names[0], names[1]];
}

/** `--submission-header`: the submission's two column names, when a competition wants others. */
function submissionHeaderOption(): Option {
  return new Option('--submission-header <id,label>', "the submissions' header (default: ImageId,Label, or the test file's id column: id,label)").argParser(submissionHeader);
}

/**
 * `--recipe`, `--ensemble` and `--tta` / `--no-tta`: which rung of the recipe ladder the models train
 * with, and the two things a run may change of it.
 */
function addRecipeOptions(command: Command): Command {
  return command
    .addOption(new Option('--recipe <name>', `recipe ladder: ${RECIPE_NAMES.map((name) => `${name} (${NAMED_RECIPES[name].summary})`).join('; ')}`).choices(RECIPE_NAMES).default('fast'))
    .option('--ensemble <n>', "train n models that differ by seed and average their probabilities (default: the recipe's, 1 for fast)", positiveInt('--ensemble'))
    .option('--tta', "test-time augmentation: average predictions over 5 one-pixel shifts (default: the recipe's)")
    .option('--no-tta', 'predict each image once');
}

/**
 * `--queue`, `--queue-name`, `--run-id`, `--attempts` and `--on-member-failure`: where models train
 * as jobs, and what happens to a job that fails.
 */
function addJobOptions(command: Command): Command {
  return command
    .option(
      '--queue <url>',
      'train every model as jobs on a BullMQ queue in Redis that digits worker processes serve: redis://[user:password@]host[:port][/db], or rediss://... for TLS (default: ensemble members on worker processes of this machine)',
    )
    .option('--queue-name <name>', 'the BullMQ queue (the workers must serve the same)', DEFAULT_QUEUE_NAME)
    .option('--run-id <id>', 'the id the jobs are filed under in the queue; the same command with the same id resumes a stopped run (default: derived from the data, recipe and seeds)', runIdOption)
    .option('--attempts <n>', 'tries per job before it counts as failed', positiveInt('--attempts'), DEFAULT_ATTEMPTS)
    .addOption(new Option('--on-member-failure <policy>', 'an ensemble member that fails on its last attempt: fail the run, or skip it and average the others').choices(['fail', 'skip']).default('fail'));
}

/** Parses `--run-id`: what a queue's job ids may hold. */
function runIdOption(value: string): string {
  if (!/^(?![0-9]+$)[A-Za-z0-9_.-]{1,100}$/.test(value)) throw new InvalidArgumentError(`expected 1-100 letters, digits, '_', '.' or '-' (not digits alone), got '${value}'`);
  return value;
}

/** `--max-line-bytes N`: the longest line any command reads from a CSV file. */
function maxLineBytesOption(): Option {
  return new Option('--max-line-bytes <n>', 'longest line accepted, in bytes (default 4 MiB): a longer one is an error').argParser(positiveInt('--max-line-bytes'));
}

/** The `digits` program: every command with its options. */
export function buildProgram(): Command {
  const program = new Command('digits')
    .description('digit-flow: image-classification pipelines for Kaggle-style CSVs, the Digit Recognizer first (data, checks, training, reports)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('data')
    .description('write the embedded default (MNIST in Kaggle format): train.csv, test.csv, sample_submission.csv, test_labels.csv')
    .option('--out <dir>', 'output directory', 'data')
    .option('--seed <n>', 'seed of the shuffle that splits the 70,000 digits', nonNegativeInt('--seed'))
    .action((options: { out: string; seed?: number }) =>
      runCommand(async () => {
        const { writeKaggleDefault } = await import('../lib/io/kaggleDefault.ts');
        const started = performance.now();
        const files = await writeKaggleDefault(options.out, { seed: options.seed });
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        process.stdout.write(`wrote ${Object.values(files).join(', ')} in ${seconds} s\n`);
      }),
    );

  const check = program
    .command('check')
    .description('validate an image CSV (train or test format) and print a summary: size, rows, rows per label')
    .argument('<file>', 'CSV file to check')
    .addOption(new Option('--on-invalid <policy>', 'fail on the first invalid row, or skip and count invalid rows').choices(['fail', 'skip']).default('fail'));
  addLayoutOptions(check, { idColumn: true }).action((file: string, options: { onInvalid: 'fail' | 'skip' } & CsvLayout) =>
      runCommand(async () => {
        const { checkDigitsFile, formatCheckSummary } = await import('./check.ts');
        const { describeSkips } = await import('../lib/io/digits.ts');
        const { onInvalid, ...layout } = options;
        const summary = await checkDigitsFile(file, onInvalid, layout);
        process.stdout.write(`${formatCheckSummary(summary)}\n`);
        // a warning, not the result: stdout stays the summary alone
        if (summary.skipped) process.stderr.write(`digits: warning: ${describeSkips(summary.skipped)}\n`);
      }),
    );

  const train = program
    .command('train')
    .description('train one model: writes submission-<model>.csv, metrics-<model>.json and model-<model>/ into the out dir')
    .addOption(new Option('--model <name>', 'which model').choices(MODEL_NAMES).makeOptionMandatory())
    .option('--train <file>', 'Kaggle train.csv (default: the embedded default in data/)')
    .option('--test <file>', 'Kaggle test.csv (default: the embedded default in data/)')
    .option('--out <dir>', 'output directory', 'out')
    .option('--epochs <n>', "epochs (default: the model's recipe)", positiveInt('--epochs'))
    .option('--batch-size <n>', "batch size (default: the model's recipe)", positiveInt('--batch-size'))
    .option('--seed <n>', 'seed of the split, shuffles, augmentation and initial weights', nonNegativeInt('--seed'), DEFAULT_SEED)
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(BACKEND_CHOICES).default('auto'))
    .option('--quiet', 'print only the final summary and errors')
    .option('--json', 'machine-readable events on stdout, one JSON object per line');
  addRecipeOptions(train);
  addJobOptions(train);
  addLayoutOptions(train, { classes: true, idColumn: true })
    .addOption(submissionHeaderOption())
    .action((options: TrainCliOptions) =>
      runCommand(async () => {
        const { trainCommand } = await import('./trainCommand.ts');
        await trainCommand({ ...options, reporter: reporterMode(options) });
      }),
    );

  const run = program
    .command('run', { isDefault: false })
    .description('the whole job (npm start): EDA, both models, submissions, metrics.json, saved models and report.html')
    .option('--train <file>', 'Kaggle train.csv (default: the embedded default in data/, made on first use)')
    .option('--test <file>', 'Kaggle test.csv (default: the embedded default in data/)')
    .option('--out <dir>', 'output directory', 'out')
    .option('--models <list>', 'comma-separated models to train', modelList, [...MODEL_NAMES])
    .option('--epochs <n>', "epochs for every model (default: each model's recipe)", positiveInt('--epochs'))
    .option('--batch-size <n>', "batch size (default: each model's recipe)", positiveInt('--batch-size'))
    .option('--seed <n>', 'seed of the split, shuffles, augmentation and initial weights', nonNegativeInt('--seed'), DEFAULT_SEED)
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(BACKEND_CHOICES).default('auto'))
    .option('--augment', "jitter training images (shift, rotation, zoom) (default: each model's recipe)")
    .option('--no-augment', 'train on the images as they are')
    .option('--rows <n>', 'rows of sample images in the report', positiveInt('--rows'), 5)
    .option('--quick', 'a 3,000-row subset and two epochs: a whole run in well under a minute')
    .option('--quiet', 'print only the final summary and errors')
    .option('--json', 'machine-readable events on stdout, one JSON object per line');
  addRecipeOptions(run);
  addJobOptions(run);
  addLayoutOptions(run, { classes: true, idColumn: true })
    .addOption(submissionHeaderOption())
    .action((options: RunCliOptions) =>
      runCommand(async () => {
        const { runCommand: runJobCommand } = await import('./runCommand.ts');
        await runJobCommand({ ...options, quick: options.quick ?? false, reporter: reporterMode(options) });
      }),
    );

  const eda = program
    .command('eda')
    .description('explore a labelled train.csv: writes eda.html and its charts (.vl.json specs and .svg) into the out dir')
    .option('--train <file>', 'Kaggle train.csv (default: the embedded default in data/)')
    .option('--rows <n>', 'rows of sample images to show', positiveInt('--rows'), 5)
    .option('--out <dir>', 'output directory', 'out/eda')
    .option('--seed <n>', 'seed of the image sample', nonNegativeInt('--seed'), DEFAULT_SEED)
    .option('--quiet', 'print only the final summary and errors');
  addLayoutOptions(eda, { classes: true, idColumn: true })
    .action((options: { train?: string; rows: number; out: string; seed: number; quiet?: boolean } & CsvLayout & ClassNaming) =>
      runCommand(async () => {
        const { edaCommand } = await import('./reportCommands.ts');
        await edaCommand({ ...options, reporter: reporterMode(options) });
      }),
    );

  program
    .command('verify')
    .description("check an out dir against its manifest (run.json): every file of the run present, whole and unchanged")
    .argument('<dir>', 'output directory of an earlier run')
    .action((dir: string) =>
      runCommand(async () => {
        const { verifyRun } = await import('../lib/io/runDir.ts');
        const { describeHeldRun } = await import('./interrupt.ts');
        const { manifest, problems } = await verifyRun(dir);
        if (problems.length > 0) {
          process.stderr.write(`${problems.map((p) => `digits: ${p}`).join('\n')}\n`);
          throw new UserError(`${dir} does not match its manifest: ${problems.length} problem${problems.length === 1 ? '' : 's'} (run ${manifest.runId})`);
        }
        process.stdout.write(`${dir}: OK, ${describeHeldRun(manifest)}: ${manifest.files.length} files match the manifest\n`);
      }),
    );

  program
    .command('report')
    .description('rebuild report.html from the report data a previous run saved, without retraining')
    .requiredOption('--from <dir>', 'output directory of an earlier `digits run` (holds report-data.json)')
    .action((options: { from: string }) =>
      runCommand(async () => {
        const { reportCommand } = await import('./reportCommands.ts');
        await reportCommand(options.from);
      }),
    );

  addWorkerCommand(program);
  return program;
}

/** `digits worker`: serves the queue `digits run --queue` submits jobs to. */
function addWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('serve a BullMQ queue of training jobs (ensemble members, tuning trials) that coordinators (digits run --queue) submit; runs until Ctrl-C')
    .requiredOption('--queue <url>', 'the queue\'s Redis: redis://[user:password@]host[:port][/db], or rediss://... for TLS')
    .option('--queue-name <name>', 'the BullMQ queue to serve', DEFAULT_QUEUE_NAME)
    .option('--concurrency <n>', 'jobs at a time in this process (they share its threads: for more cores, start more workers)', positiveInt('--concurrency'), 1)
    .option('--data-root <dir>', 'a directory jobs may read data from; repeatable (default: the current directory)', (dir: string, dirs: string[]) => [...dirs, dir], [] as string[])
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(BACKEND_CHOICES).default('auto'))
    .option('--threads <n>', 'threads the backend computes on (default: every core)', positiveInt('--threads'))
    .option('--stalled-after <seconds>', 'seconds after which the job of a worker that stopped answering goes to another worker (default 30; the same on every worker)', positiveInt('--stalled-after'))
    .option('--quiet', 'print only errors')
    .option('--json', 'machine-readable events on stdout, one JSON object per line')
    .action((options: Omit<WorkerCommandOptions, 'reporter'> & { quiet?: boolean; json?: boolean }) =>
      runCommand(async () => {
        const { workerCommand } = await import('./workerCommand.ts');
        await workerCommand({ ...options, reporter: reporterMode(options) });
      }),
    );
}

/** What commander hands a command: its options, with --quiet / --json still to become a reporter mode. */
type CliOptions<T> = Omit<T, 'reporter' | 'quick'> & { quick?: boolean; quiet?: boolean; json?: boolean };
type RunCliOptions = CliOptions<RunCommandOptions>;
type TrainCliOptions = CliOptions<TrainCommandOptions>;

/** Parses `--models mlp,cnn`: known names, each once. */
function modelList(value: string): ModelName[] {
  const names = value.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!(MODEL_NAMES as readonly string[]).includes(name)) {
      throw new InvalidArgumentError(`unknown model '${name}' (choose from ${MODEL_NAMES.join(', ')})`);
    }
  }
  if (new Set(names).size !== names.length) throw new InvalidArgumentError(`a model is listed twice in '${value}'`);
  return names as ModelName[];
}

function reporterMode(options: { quiet?: boolean; json?: boolean }): ReporterMode {
  return options.json ? 'json' : options.quiet ? 'quiet' : 'auto';
}

/** Parses an integer option >= 0, with a one-line error naming the option. */
export function nonNegativeInt(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
      throw new InvalidArgumentError(`${name} must be an integer >= 0, got '${value}'`);
    }
    return n;
  };
}

/**
 * Runs the `digits` CLI on `argv` (as `process.argv`: node, script, then the arguments) and sets
 * `process.exitCode`: 0, 1 for a user's mistake, 130 for Ctrl-C.
 */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (error) {
    const exitCode = (error as { exitCode?: number }).exitCode;
    // commander has already printed its one-line message (or the help text)
    if (typeof exitCode === 'number') process.exitCode = exitCode;
    else {
      // A bug, not a user mistake: its stack helps. Printed here because an uncaught error would go
      // through the wasm module's exception hook, which prints the module's whole source line.
      process.stderr.write(`digits: internal error: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  }
}
