import { describe, expect, it } from 'vitest';
import { recipeWords, trainingWords } from '../../reports/trainingWords.ts';
import { RECIPES } from '../../lib/models/recipes.ts';
import { smallProject } from '../charts/fixtures.ts';

describe('recipeWords', () => {
  it('says every setting of a full recipe', () => {
    const words = recipeWords({
      epochs: 12,
      batchSize: 128,
      maxLearningRate: 4e-3,
      warmup: 0.3,
      beta1: 0.85,
      beta2: 0.995,
      labelSmoothing: 0.1,
      weightDecay: 5e-4,
      averageWeights: 0.998,
      tta: true,
      augment: { maxShiftPx: 2, maxRotateDeg: 10, maxZoom: 0.1 },
    });
    expect(words).toBe(
      '12 epochs, batch 128, one-cycle to 4e-3 (warm-up 30%), Adam β 0.85/0.995, label smoothing 0.1, weight decay 5e-4, ' +
        'weight averaging (EMA 0.998), test-time augmentation (5 shifts), jitter ±2 px / ±10° / ±10% zoom',
    );
  });

  it('names the schedule’s and Adam’s defaults, and leaves out the extras a recipe does not use', () => {
    expect(recipeWords({ epochs: 1, batchSize: 64, maxLearningRate: 0.01 })).toBe('1 epoch, batch 64, one-cycle to 0.01 (warm-up 25%), Adam β 0.9/0.999');
    expect(recipeWords({ epochs: 5, batchSize: 64, maxLearningRate: 1e-3, labelSmoothing: 0, weightDecay: 0, averageWeights: 0, tta: false })).toBe(
      '5 epochs, batch 64, one-cycle to 1e-3 (warm-up 25%), Adam β 0.9/0.999',
    );
  });

  it('describes the default recipes', () => {
    expect(recipeWords(RECIPES.cnn)).toBe(
      '8 epochs, batch 128, one-cycle to 0.01 (warm-up 40%), Adam β 0.8/0.99, weight decay 0.01, weight averaging (EMA 0.998), test-time augmentation (5 shifts), jitter ±2 px / ±10° / ±10% zoom',
    );
    expect(recipeWords(RECIPES.mlp)).toBe('8 epochs, batch 256, one-cycle to 0.01 (warm-up 10%), Adam β 0.7/0.9, label smoothing 0.1, jitter ±1 px / ±5° / ±5% zoom');
  });

  it('fills the jitter limits a recipe leaves out with their defaults and drops those at 0', () => {
    const base = { epochs: 1, batchSize: 8, maxLearningRate: 2.5e-3 };
    expect(recipeWords({ ...base, augment: {} })).toMatch(/, jitter ±2 px \/ ±10° \/ ±10% zoom$/);
    expect(recipeWords({ ...base, augment: { maxShiftPx: 0, maxZoom: 0.05 } })).toMatch(/2\.5e-3 .*, jitter ±10° \/ ±5% zoom$/);
    expect(recipeWords({ ...base, augment: { maxShiftPx: 0, maxRotateDeg: 0, maxZoom: 0 } })).not.toContain('jitter');
    expect(recipeWords({ ...base, augment: { maxElasticPx: 2 } })).toMatch(/, jitter ±2 px \/ ±10° \/ ±10% zoom \/ elastic ±2 px every 4 px$/);
    expect(recipeWords({ ...base, augment: { maxShiftPx: 0, maxRotateDeg: 0, maxZoom: 0, maxElasticPx: 1.5, elasticGridPx: 6 } })).toMatch(
      /, jitter elastic ±1\.5 px every 6 px$/,
    );
  });

  it('says what a recipe sets of the architecture, and nothing for what it leaves to the format', () => {
    const base = { epochs: 12, batchSize: 128, maxLearningRate: 0.01 };
    expect(recipeWords({ ...base, architecture: { channels: [32, 64], convsPerBlock: 2, hidden: 512, dropout: 0.4 } })).toMatch(
      /^conv blocks 32\/64 \(2 convs each\), dense 512, dropout 0\.4, 12 epochs, batch 128, /,
    );
    expect(recipeWords({ ...base, architecture: { convsPerBlock: 2 } })).toMatch(/^2 convs per block, 12 epochs, /);
    expect(recipeWords({ ...base, architecture: { channels: [24, 48, 96] } })).toMatch(/^conv blocks 24\/48\/96, 12 epochs, /);
    expect(recipeWords({ ...base, members: 3, architecture: { convsPerBlock: 1 } })).toMatch(/^3 members averaged, 1 conv per block, each 12 epochs, /);
    expect(recipeWords({ ...base, architecture: {} })).toMatch(/^12 epochs, /);
    expect(recipeWords({ ...base, members: 4, architecture: [{}, { convsPerBlock: 2 }] })).toMatch(
      /^4 members averaged, architectures in turn: the default; 2 convs per block, each 12 epochs, /,
    );
  });

  it('says how many members an ensemble averages, each trained with the recipe', () => {
    expect(recipeWords({ epochs: 15, batchSize: 128, maxLearningRate: 4e-3, members: 5 })).toMatch(/^5 members averaged, each 15 epochs, batch 128, /);
    expect(recipeWords({ epochs: 15, batchSize: 128, maxLearningRate: 4e-3, members: 1 })).toMatch(/^15 epochs, /);
  });
});

describe('trainingWords', () => {
  it('names the model and its seed, or each member’s seeds for an ensemble', () => {
    const [mlp, cnn] = smallProject({ ensemble: true }).models;
    expect(trainingWords(mlp)).toBe(
      'mlp: 5 epochs, batch 64, one-cycle to 4e-3 (warm-up 25%), Adam β 0.9/0.999, weight averaging (EMA 0.998), ' +
        'test-time augmentation (5 shifts), jitter ±2 px / ±10° / ±10% zoom, seed 20742',
    );
    expect(trainingWords(cnn)).toMatch(/^cnn: 3 members averaged, each 5 epochs, batch 64, .*, seeds 20742, 21742, 22742$/);
  });

  it('gives epochs and batch size of metrics written before recipes were recorded', () => {
    const [mlp] = smallProject().models;
    expect(trainingWords(mlp)).toBe('mlp: 5 epochs, batch 64 (the rest of the recipe was not recorded)');
  });
});
