/**
 * `digit-flow/charts`: vega-lite spec builders, pure functions from plain data to a `TopLevelSpec`.
 * Nothing here touches tensors, files or Node modules, so the builders also run in a browser;
 * rendering a spec is `renderSvg` in `digit-flow/reports`. Charts about classes or images take the
 * data set's {@link ImageFormat} (size, colour, class names); the digit-named builders are the same
 * charts for the Digit Recognizer's format.
 *
 * @packageDocumentation
 * @module digit-flow/charts
 */

export { distributionChart, type LabelShare } from './distribution.ts';
export {
  imageGridChart,
  digitGridChart,
  type ImageTile,
  type DigitTile,
  type TilePrediction,
  type ImageGridOptions,
  type DigitGridOptions,
} from './digitGrid.ts';
export { imagePngDataUrl, digitPngDataUrl } from './digitImage.ts';
export { meanImagesChart, meanDigitsChart, type MeanImage, type MeanDigit } from './meanDigits.ts';
export { classStatsChart, digitStatsChart, type ClassStat, type DigitStat } from './digitStats.ts';
export { pixelVariationChart, type PixelStat } from './pixelMaps.ts';
export { trainingCurvesChart, type ModelHistory } from './trainingCurves.ts';
export { confusionMatricesChart, type ModelConfusion } from './confusion.ts';
export { perClassChart, type ModelPerClass } from './perClass.ts';
export { misclassifiedChart, type MisclassifiedImage, type MisclassifiedDigit } from './misclassified.ts';
export { disagreementChart, type ModelPredictions } from './disagreement.ts';
export { comparisonTableChart, type ModelSummary } from './comparisonTable.ts';
export { ensembleMembersChart, type EnsembleAccuracy, type MemberAccuracy, type EnsembleChartOptions } from './ensembleMembers.ts';
export { MODEL_PALETTE, modelColor, modelColorScale } from './palette.ts';
export { limitLabelLength } from './base.ts';
// the format the charts take, importable without the main entry's tfjs
export { imageFormat, MNIST_FORMAT, isDigitFormat, type ImageFormat, type ImageFormatSpec, type ImageClass, type ImageSize } from '../data/format.ts';
