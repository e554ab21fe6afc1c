/**
 * `digit-flow/charts`: vega-lite spec builders, pure functions from plain data to a `TopLevelSpec`.
 * Nothing here touches tensors, files or Node modules, so the builders also run in a browser;
 * rendering a spec is `renderSvg` in `digit-flow/reports`.
 *
 * @packageDocumentation
 * @module digit-flow/charts
 */

export { distributionChart, type LabelShare } from './distribution.ts';
export { digitGridChart, type DigitTile, type TilePrediction, type DigitGridOptions } from './digitGrid.ts';
export { digitPngDataUrl } from './digitImage.ts';
export { meanDigitsChart, type MeanDigit } from './meanDigits.ts';
export { digitStatsChart, type DigitStat } from './digitStats.ts';
export { pixelVariationChart, type PixelStat } from './pixelMaps.ts';
export { trainingCurvesChart, type ModelHistory } from './trainingCurves.ts';
export { confusionMatricesChart, type ModelConfusion } from './confusion.ts';
export { perClassChart, type ModelPerClass } from './perClass.ts';
export { misclassifiedChart, type MisclassifiedDigit } from './misclassified.ts';
export { disagreementChart, type ModelPredictions } from './disagreement.ts';
export { comparisonTableChart, type ModelSummary } from './comparisonTable.ts';
export { MODEL_PALETTE, modelColor, modelColorScale } from './palette.ts';
