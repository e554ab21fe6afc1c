import { MAX_SIDE } from './format.ts';
import type { AugmentOptions } from './affine.ts';

/**
 * JSON Schema of each {@link AugmentOptions} field, bounded as `jitterLimits` bounds them for the
 * largest image format (the exact limits depend on the image size, which `jitterLimits` checks).
 * One list serves both the job schema, which refuses fields it does not know, and the report's data
 * schema, which keeps them for newer writers; so a new augmentation field is named here once.
 */
export const augmentOptionsProperties = {
  maxShiftPx: { type: 'number', minimum: 0, maximum: MAX_SIDE },
  maxRotateDeg: { type: 'number', minimum: 0, maximum: 180 },
  maxZoom: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
  maxElasticPx: { type: 'number', minimum: 0, maximum: MAX_SIDE },
  elasticGridPx: { type: 'number', minimum: 1, maximum: MAX_SIDE },
  seed: { type: 'integer' },
} as const;
