import { describe, expect, it } from 'vitest';
import { memberArchitecture, memberRecipe, RECIPES, type TrainingRecipe } from '../../lib/models/recipes.ts';

describe('memberArchitecture', () => {
  const deeper = { convsPerBlock: 2 };
  const wider = { channels: [32, 64] };

  it('gives every member a recipe’s one architecture, and none when the recipe sets none', () => {
    const recipe: TrainingRecipe = { ...RECIPES.cnn, architecture: deeper };
    expect([1, 2, 7].map((member) => memberArchitecture(recipe, member))).toEqual([deeper, deeper, deeper]);
    expect(memberArchitecture(RECIPES.cnn, 3)).toBeUndefined();
  });

  it('deals a list to the members in turn, and the first to a single model', () => {
    const recipe: TrainingRecipe = { ...RECIPES.cnn, members: 5, architecture: [{}, deeper, wider] };
    expect([1, 2, 3, 4, 5].map((member) => memberArchitecture(recipe, member))).toEqual([{}, deeper, wider, {}, deeper]);
    expect(memberArchitecture(recipe)).toEqual({});
    expect(memberRecipe(recipe, 3)).toEqual({ ...recipe, architecture: wider });
    expect(memberRecipe(RECIPES.cnn, 3)).toBe(RECIPES.cnn);
  });

  it('refuses an empty list in one line', () => {
    expect(() => memberArchitecture({ ...RECIPES.cnn, architecture: [] }, 1)).toThrow(/^recipe: architecture must be one architecture or a non-empty list of them, got \[\]$/);
  });
});
