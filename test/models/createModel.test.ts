import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../lib/errors.ts';
import { Cnn } from '../../lib/models/cnn.ts';
import { createModel, MODEL_NAMES, parseModelName } from '../../lib/models/createModel.ts';
import { MlpModel } from '../../lib/models/mlp.ts';
import { RECIPES } from '../../lib/models/recipes.ts';
import { useTestBackend } from './fixtures.ts';

beforeAll(useTestBackend);

describe('createModel', () => {
  it('builds each built-in model by name, with its input shape and a recipe', () => {
    for (const name of MODEL_NAMES) {
      const model = createModel(parseModelName(name), { seed: 1, learningRate: 0.002 });
      expect(model.name).toBe(name);
      expect(model).toBeInstanceOf(name === 'mlp' ? MlpModel : Cnn);
      expect(model.inputShape).toBe(name === 'mlp' ? 'flat' : 'image');
      expect(model.learningRate).toBeCloseTo(0.002, 9);
      expect(RECIPES[name].epochs).toBeGreaterThan(0);
      model.dispose();
    }
  });

  it('builds the CNN a recipe’s architecture describes; the MLP refuses one', () => {
    const cnn = createModel('cnn', { seed: 1, architecture: { channels: [8, 16], convsPerBlock: 2, hidden: 32, dropout: 0.4 } }) as Cnn;
    expect(cnn.options).toMatchObject({ channels: [8, 16], convsPerBlock: 2, hidden: 32, dropout: 0.4, seed: 1 });
    cnn.dispose();
    expect(() => createModel('mlp', { architecture: { hidden: 32 } })).toThrow(UserError);
    expect(() => createModel('mlp', { architecture: { hidden: 32 } })).toThrow(/^mlp: a recipe's architecture is for the cnn only, got \{"hidden":32\}$/);
  });

  it('rejects an unknown --model with a one-line error naming the option and the choices', () => {
    expect(() => parseModelName('rnn')).toThrow(UserError);
    expect(() => parseModelName('rnn')).toThrow(/^--model must be one of mlp, cnn, got 'rnn'$/);
  });

  it('rejects a learning rate that is not a positive number', () => {
    const model = createModel('mlp');
    expect(() => (model.learningRate = -1)).toThrow(/^ScheduledAdam: learningRate must be a positive number, got -1$/);
    model.dispose();
  });
});
