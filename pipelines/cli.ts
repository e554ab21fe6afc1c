import { Command, InvalidArgumentError, Option } from 'commander';
import { BACKEND_CHOICES, DEFAULT_SEED, describeSkips, MODEL_NAMES, type ModelName, UserError, verifyRun, writeKaggleDefault } from '../lib/index.ts';
import { describeHeldRun } from './interrupt.ts';
import { checkDigitsFile, formatCheckSummary } from './check.ts';
import { runCommand } from './cliErrors.ts';
import { edaCommand, reportCommand } from './reportCommands.ts';
import { runCommand as runJobCommand, type RunCommandOptions } from './runCommand.ts';
import { trainCommand, type TrainCommandOptions } from './trainCommand.ts';
import type { ReporterMode } from './progress.ts';

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
  return new Option('--no-header', 'the CSV files have no header line: each line is a label then 784 pixels, or the pixels alone');
}

/** `--max-line-bytes N`: the longest line any command reads from a CSV file. */
function maxLineBytesOption(): Option {
  return new Option('--max-line-bytes <n>', 'longest line accepted, in bytes (default 4 MiB): a longer one is an error').argParser(positiveInt('--max-line-bytes'));
}

/** The `digits` program: every command with its options. */
export function buildProgram(): Command {
  const program = new Command('digits')
    .description('digit-flow: Kaggle Digit Recognizer pipelines (data, checks, training, reports)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('data')
    .description('write the embedded default (MNIST in Kaggle format): train.csv, test.csv, sample_submission.csv, test_labels.csv')
    .option('--out <dir>', 'output directory', 'data')
    .option('--seed <n>', 'seed of the shuffle that splits the 70,000 digits', nonNegativeInt('--seed'))
    .action((options: { out: string; seed?: number }) =>
      runCommand(async () => {
        const started = performance.now();
        const files = await writeKaggleDefault(options.out, { seed: options.seed });
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        process.stdout.write(`wrote ${Object.values(files).join(', ')} in ${seconds} s\n`);
      }),
    );

  program
    .command('check')
    .description('validate a Kaggle digit CSV (train or test format) and print a summary')
    .argument('<file>', 'CSV file to check')
    .addOption(new Option('--on-invalid <policy>', 'fail on the first invalid row, or skip and count invalid rows').choices(['fail', 'skip']).default('fail'))
    .addOption(maxLineBytesOption())
    .addOption(noHeaderOption())
    .action((file: string, options: { onInvalid: 'fail' | 'skip'; maxLineBytes?: number; header: boolean }) =>
      runCommand(async () => {
        const summary = await checkDigitsFile(file, options.onInvalid, { header: options.header, maxLineBytes: options.maxLineBytes });
        process.stdout.write(`${formatCheckSummary(summary)}\n`);
        // a warning, not the result: stdout stays the summary alone
        if (summary.skipped) process.stderr.write(`digits: warning: ${describeSkips(summary.skipped)}\n`);
      }),
    );

  program
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
    .addOption(noHeaderOption())
    .addOption(maxLineBytesOption())
    .option('--quiet', 'print only the final summary and errors')
    .option('--json', 'machine-readable events on stdout, one JSON object per line')
    .action((options: TrainCliOptions) =>
      runCommand(() =>
        trainCommand({ ...options, reporter: reporterMode(options) }),
      ),
    );

  program
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
    .option('--rows <n>', 'rows of sample digits in the report', positiveInt('--rows'), 5)
    .option('--quick', 'a 3,000-row subset and two epochs: a whole run in well under a minute')
    .addOption(noHeaderOption())
    .addOption(maxLineBytesOption())
    .option('--quiet', 'print only the final summary and errors')
    .option('--json', 'machine-readable events on stdout, one JSON object per line')
    .action((options: RunCliOptions) =>
      runCommand(() => runJobCommand({ ...options, quick: options.quick ?? false, reporter: reporterMode(options) })),
    );

  program
    .command('eda')
    .description('explore a labelled train.csv: writes eda.html and its charts (.vl.json specs and .svg) into the out dir')
    .option('--train <file>', 'Kaggle train.csv (default: the embedded default in data/)')
    .option('--rows <n>', 'rows of sample digits to show', positiveInt('--rows'), 5)
    .option('--out <dir>', 'output directory', 'out/eda')
    .option('--seed <n>', 'seed of the digit sample', nonNegativeInt('--seed'), DEFAULT_SEED)
    .addOption(noHeaderOption())
    .addOption(maxLineBytesOption())
    .option('--quiet', 'print only the final summary and errors')
    .action((options: { train?: string; rows: number; out: string; seed: number; quiet?: boolean; header: boolean; maxLineBytes?: number }) =>
      runCommand(() => edaCommand({ ...options, reporter: reporterMode(options) })),
    );

  program
    .command('verify')
    .description("check an out dir against its manifest (run.json): every file of the run present, whole and unchanged")
    .argument('<dir>', 'output directory of an earlier run')
    .action((dir: string) =>
      runCommand(async () => {
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
    .action((options: { from: string }) => runCommand(() => reportCommand(options.from)));

  return program;
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
