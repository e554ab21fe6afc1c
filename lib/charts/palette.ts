/**
 * Colours for models. Every comparison chart of a report is given the same ordered list of model
 * names, so a model keeps its colour from chart to chart (the first model is always blue, the second
 * orange, ...). Colour-blind safe (Okabe–Ito).
 */
export const MODEL_PALETTE: readonly string[] = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442'];

/** Ink colour for digits, text and single-series charts that are not about one model. */
export const NEUTRAL = '#4c566a';

/** The colour of the `index`-th model of a report. */
export function modelColor(index: number): string {
  return MODEL_PALETTE[index % MODEL_PALETTE.length];
}

/** A vega-lite colour scale mapping each model name to its colour. */
export function modelColorScale(models: readonly string[]): { domain: string[]; range: string[] } {
  return { domain: [...models], range: models.map((_, i) => modelColor(i)) };
}
