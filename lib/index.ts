/**
 * digit-flow's main entry: sources and sinks (`io`), RxJS operators, the in-memory dataset, models,
 * backends, EDA tables and training jobs. Chart builders are in `digit-flow/charts`, report builders,
 * rendering and the whole job in `digit-flow/reports`.
 *
 * @packageDocumentation
 * @module digit-flow
 */

export * from './types.ts';
export { InputFileError, InterruptedError, UserError } from './errors.ts';

// io: sources and sinks
export { readCsv, CsvParser, type CsvRow, type CsvOptions } from './io/csv.ts';
export {
  readImages,
  readDigits,
  readImageHeader,
  describeSkips,
  digitHeader,
  type ReadImagesOptions,
  type ReadDigitsOptions,
  type InvalidRowPolicy,
  type SkipReport,
  type ImageFileHeader,
  type DigitFileHeader,
} from './io/digits.ts';
export { LabelMap, canonicalLabel } from './io/labels.ts';
export { parseIdx, readIdx, encodeIdx, readIdxDigits, readMnist, mnistDataDir, type IdxArray, type MnistDigits } from './io/idx.ts';
export { writeSubmission, submissionHeaderFor, readLabels, score, scoreLabels, SUBMISSION_HEADER, type Score, type SubmissionOptions } from './io/submission.ts';
export {
  withRunDir,
  RunDir,
  readRunManifest,
  verifyRun,
  commitInProgress,
  runsSettled,
  RUN_MANIFEST,
  type RunManifest,
  type RunFile,
  type RunDirOptions,
  type PlannedOutput,
  type RunVerification,
} from './io/runDir.ts';
export { describeFileError, isFileSystemError } from './io/fileErrors.ts';
export {
  writeKaggleDefault,
  kaggleFiles,
  encodeDigitRows,
  KAGGLE_TRAIN_ROWS,
  KAGGLE_TEST_ROWS,
  DEFAULT_DATA_SEED,
  type KaggleFiles,
  type WriteKaggleOptions,
} from './io/kaggleDefault.ts';

// operators
export { normalize } from './operators/normalize.ts';
export { reshape } from './operators/reshape.ts';
export { splitTrainValid, type SplitOptions, type SplitPart, type SplitRecord } from './operators/splitTrainValid.ts';
export { partitionTrainValid } from './operators/partitionTrainValid.ts';
export { toDataset, type TrainValidDatasets, type DatasetOf, type ToDatasetOptions } from './operators/toDataset.ts';
export { shuffle, type ShuffleOptions } from './operators/shuffle.ts';
export { batch, type RecordBatchOptions } from './operators/batch.ts';
export { augment } from './operators/augment.ts';

// models: the contract, the Keras-style MLP, the PyTorch-style CNN, save / load
export { countScalars, correctCount, toInputShape, type DigitModel, type StepResult } from './models/model.ts';
export { createMlp, loadMlp, MlpModel, type MlpOptions } from './models/mlp.ts';
export { Cnn, loadCnn, cnnBlocksFor, type CnnOptions, type CnnArchitecture } from './models/cnn.ts';
export { fromLayersModel, loadLayersModel, LayersDigitModel, type LayersModelOptions } from './models/layersModel.ts';
export { Conv2d, Linear, BatchNorm, type Layer } from './models/nn.ts';
export { ScheduledAdam, type AdamBetas } from './models/optimizer.ts';
export { loadModel, registerModelLoader, type ModelLoader } from './models/load.ts';
export { createModel, parseModelName, MODEL_NAMES, type ModelName } from './models/createModel.ts';
export { RECIPES, NAMED_RECIPES, RECIPE_NAMES, parseRecipeName, recipeOf, memberArchitecture, type TrainingRecipe, type RecipeName, type NamedRecipe, type RecipeChoice } from './models/recipes.ts';

// training operators
export { train, fit, lossAndAccuracy, type TrainOptions } from './operators/train.ts';
export { predict, concatPredictions, type Prediction, type PredictOptions } from './operators/predict.ts';
export { averagePredictions, disagreementCount } from './operators/averagePredictions.ts';
export { WeightAverage, type WeightAverageOptions } from './operators/weightAverage.ts';
export { evaluate, evaluateLabels, scorePrediction } from './operators/evaluate.ts';
export { oneCycle, stepDecay, type LearningRateSchedule, type ScheduleStep, type OneCycleOptions } from './operators/lrSchedule.ts';
export { EarlyStopping, type EarlyStoppingOptions } from './operators/earlyStopping.ts';

// backend: choice and fast CPU training kernels
export {
  selectBackend,
  parseBackendChoice,
  BACKEND_CHOICES,
  type BackendChoice,
  type BackendInfo,
  type BackendName,
  type BackendOptions,
} from './backend/selectBackend.ts';
export { registerTrainingKernels } from './backend/kernels/register.ts';

// data: the format every stage reads, and the in-memory dataset
export {
  imageFormat,
  MNIST_FORMAT,
  MAX_CLASSES,
  MAX_SIDE,
  pixelCount,
  classCount,
  classNames,
  classIndexOf,
  describeSize,
  isDigitFormat,
  itemNoun,
  sameFormat,
  sameSize,
  sizeFromPixelCount,
  parseImageSize,
  withClassNames,
  formatFromLabels,
  type ImageFormat,
  type ImageFormatSpec,
  type ImageClass,
  type ImageSize,
} from './data/format.ts';
export { ImageDataset, DigitDataset, disposeBatch, type BatchOptions } from './data/dataset.ts';
export { DatasetBuilder, type DatasetArrays } from './data/builder.ts';
export { seededRandom, permutation, shuffleInPlace, deriveSeed, DEFAULT_SEED, type Random } from './data/random.ts';
export {
  randomJitter,
  inverseAffine,
  warpImage,
  jitterImages,
  DEFAULT_JITTER,
  type AugmentOptions,
  type Jitter,
  type JitterLimits,
  type InverseAffine,
} from './data/affine.ts';
export { ElasticField, type DisplacementField } from './data/elastic.ts';
export { shiftImages, TTA_SHIFTS, type ImageShift } from './data/shift.ts';
export type { AnyImage, AnyDigit } from './data/pixels.ts';

// io: Node streams and async iterables
export { fromReadable, fromAsyncIterable, toAsyncIterable, pipelineStage, type AsyncSinkOptions } from './io/interop.ts';

// eda: arquero tables in, tables out
export { imageSummaries } from './eda/imageSummaries.ts';
export { classDistribution, labelDistribution } from './eda/labelDistribution.ts';
export { classPixelStats, digitPixelStats } from './eda/digitPixelStats.ts';
export { pixelStats } from './eda/pixelStats.ts';
export { meanImages, meanDigits } from './eda/meanDigits.ts';
export { sampleImages, sampleDigits, type SampleOptions } from './eda/sampleDigits.ts';

// jobs: one model trained, evaluated and predicted, with its files; the inputs of the CLI's jobs
export {
  trainModel,
  relocateFiles,
  scoreTest,
  writeMetrics,
  writeTestSubmission,
  type TrainModelOptions,
  type TrainModelResult,
  type TrainModelEvent,
  type TrainModelFiles,
  type ModelPredictions,
  type TrainingData,
} from './jobs/trainModel.ts';
export { trainEnsemble, memberSeed, type TrainEnsembleOptions, type EnsembleEvent, type EnsembleMemberEvent } from './jobs/trainEnsemble.ts';
export { saveJobResult, type EnsembleJobs, type EnsembleMemberFailedEvent } from './jobs/ensembleJobs.ts';
export { runTrials, rankTrials, type TrialsOptions, type TrialResult, type TrialFailure } from './jobs/runTrials.ts';
export {
  readJobData,
  resolveInputs,
  resolveTrainFile,
  readTrainValid,
  readDataset,
  readAnswers,
  startBackend,
  DEFAULT_DATA_DIR,
  JOB_VALID_FRACTION,
  type InputFiles,
  type JobData,
  type CsvLayout,
  type ClassNaming,
  type ReadDatasetOptions,
  type JobDataOptions,
} from './jobs/inputs.ts';
export { silentReporter, type Reporter, type Task, type ProgressFields } from './jobs/reporter.ts';
export { trainingProgress, describeEpoch } from './jobs/trainProgress.ts';

// jobs as values: one model on referenced data, run in this process, on local worker processes or on a BullMQ queue
export {
  parseJob,
  resolvedRecipe,
  runIdFor,
  jobId,
  trainingJobs,
  describeJob,
  jobSchema,
  recipeSchema,
  JobPayloadError,
  JOB_FORMAT_VERSION,
  type FileReference,
  type DataReference,
  type JobCsvLayout,
  type TrainingJob,
  type ProbeJob,
  type JobSpec,
  type TrainingJobResult,
  type ProbeJobResult,
  type JobResult,
  type RecipeOverrides,
} from './jobs/trainingJob.ts';
export { dataReference, fileReference, readReferencedData, checkReferencedFile, referencedFiles, firstRows, type ReferencedData, type DataAccess } from './jobs/jobData.ts';
export { runTrainingJob, workerName, type JobEvent, type JobEpochEvent, type JobResultEvent, type RunTrainingJobOptions } from './jobs/runTrainingJob.ts';
export { encodeJobResult, decodeJobResult, jobResultSchema, type EncodedJobResult, type EncodedPrediction } from './jobs/jobWire.ts';
export {
  DEFAULT_ATTEMPTS,
  type JobRunner,
  type JobOutcome,
  type JobStartedOutcome,
  type JobEpochOutcome,
  type JobDoneOutcome,
  type JobFailedOutcome,
} from './jobs/runners/jobRunner.ts';
export { inProcessRunner, type InProcessRunnerOptions } from './jobs/runners/inProcessRunner.ts';
export { localRunner, localWorkerCount, defaultThreadsPerJob, type LocalRunnerOptions } from './jobs/runners/localRunner.ts';
export { queueRunner, DEFAULT_QUEUE_NAME, type QueueRunnerOptions } from './jobs/runners/queueRunner.ts';
export { serveQueue, type QueueWorker, type QueueWorkerOptions, type QueueWorkerEvent } from './jobs/runners/queueWorker.ts';
export { parseRedisUrl, checkRedis, DEFAULT_CONNECT_TIMEOUT_SECONDS, type RedisTarget } from './jobs/runners/redisConnection.ts';
export { runnersSettled } from './jobs/runners/runnersSettled.ts';
