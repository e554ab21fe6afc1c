import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { comparisonData } from '../../reports/comparisonData.ts';
import { edaData } from '../../reports/eda.ts';
import { REPORT_DATA_FILE, loadReportData, rebuildReport, saveReportData } from '../../reports/reportData.ts';
import { smallProject, type SmallProjectOptions } from '../charts/fixtures.ts';
import { tempDir } from '../helpers/files.ts';

async function savedProject(dir: string, options: SmallProjectOptions = {}) {
  const { train, test, models } = smallProject(options);
  const data = { eda: edaData(train, { rows: 1 }), comparison: comparisonData(models, { test, valid: train, limit: 4 }) };
  await saveReportData(dir, data);
  return data;
}

/** A model's metrics as report-data.json holds them, loosely typed so a test can damage them. */
interface SavedModel {
  recipe: Record<string, unknown>;
  seed: unknown;
  ensemble: { members: Array<Record<string, unknown>>; testDisagreements: number };
}

describe('report data', () => {
  it('round-trips through report-data.json, written atomically', async () => {
    const dir = await tempDir();
    const data = await savedProject(dir);
    expect(await readdir(dir)).toEqual([REPORT_DATA_FILE]);
    expect(await loadReportData(dir)).toEqual(JSON.parse(JSON.stringify(data)));
  });

  it('rebuilds the whole report from the saved file alone', async () => {
    const dir = await tempDir();
    const data = await savedProject(dir);
    const written = await rebuildReport(dir);
    const html = await readFile(written.html, 'utf8');
    for (const name of ['label-distribution', 'sample-digits', 'comparison-table', 'misclassified-2', 'disagreement']) {
      expect(html).toContain(`data-chart="${name}"`);
    }
    expect(written.charts).toHaveLength(13);
    expect(html).toContain(`${data.comparison.models[1].model}`);
  });

  it('names the file and the first wrong field of a damaged file', async () => {
    const dir = await tempDir();
    await savedProject(dir);
    const path = join(dir, REPORT_DATA_FILE);
    const json = JSON.parse(await readFile(path, 'utf8'));
    json.comparison.models[1].valid.confusion[2] = [1, 2];
    await writeFile(path, JSON.stringify(json));
    await expect(loadReportData(dir)).rejects.toThrow(`${path}: field /comparison/models/1/valid/confusion/2 must NOT have fewer than 10 items`);
    await writeFile(path, '{"format": "digit-flow-report-data", "version": 1');
    await expect(loadReportData(dir)).rejects.toThrow(`${path}: not valid JSON`);
    await writeFile(path, '{"format": "digit-flow-report-data", "version": 1}');
    await expect(loadReportData(dir)).rejects.toThrow(`${path}: holds neither 'eda' nor 'comparison'`);
    await writeFile(path, '{"format": "something else", "version": 1}');
    await expect(loadReportData(dir)).rejects.toThrow(`${path}: field /format must be equal to constant`);
  });

  it('round-trips the recipe, seed and ensemble summary a model records', async () => {
    const dir = await tempDir();
    const data = await savedProject(dir, { ensemble: true });
    const loaded = await loadReportData(dir);
    expect(loaded).toEqual(JSON.parse(JSON.stringify(data)));
    const cnn = loaded.comparison!.models[1];
    expect(cnn.recipe).toMatchObject({ maxLearningRate: 4e-3, tta: true, augment: { maxShiftPx: 2 } });
    expect(cnn.seed).toBe(20742);
    expect(cnn.ensemble?.members.map((m) => m.seed)).toEqual([20742, 21742, 22742]);
    const html = await readFile((await rebuildReport(dir)).html, 'utf8');
    expect(html).toContain('data-chart="ensemble-members"');
    expect(html).toContain('<p>cnn: 3 members averaged, each 5 epochs, batch 64, one-cycle to 4e-3');
  });

  it('loads and rebuilds a file written before recipes, seeds and ensembles were recorded', async () => {
    const dir = await tempDir();
    await savedProject(dir, { ensemble: true });
    const path = join(dir, REPORT_DATA_FILE);
    const json = JSON.parse(await readFile(path, 'utf8'));
    for (const model of json.comparison.models) {
      delete model.recipe;
      delete model.seed;
      delete model.ensemble;
    }
    await writeFile(path, JSON.stringify(json));
    const loaded = await loadReportData(dir);
    expect(loaded.comparison!.models.map((m) => [m.recipe, m.seed, m.ensemble])).toEqual([
      [undefined, undefined, undefined],
      [undefined, undefined, undefined],
    ]);
    const html = await readFile((await rebuildReport(dir)).html, 'utf8');
    expect(html).toContain('data-chart="comparison-table"');
    expect(html).not.toContain('data-chart="ensemble-members"');
  });

  it('keeps recipe settings it does not know, as it keeps every unknown field', async () => {
    const dir = await tempDir();
    await savedProject(dir, { recipes: true });
    const path = join(dir, REPORT_DATA_FILE);
    const json = JSON.parse(await readFile(path, 'utf8'));
    json.comparison.models[0].recipe.futureSetting = 'x';
    await writeFile(path, JSON.stringify(json));
    expect((await loadReportData(dir)).comparison!.models[0].recipe).toMatchObject({ futureSetting: 'x' });
  });

  it('names the first wrong field of a malformed recipe, seed or ensemble', async () => {
    const dir = await tempDir();
    await savedProject(dir, { ensemble: true });
    const path = join(dir, REPORT_DATA_FILE);
    const original = await readFile(path, 'utf8');
    const cases: Array<[(model: SavedModel) => void, string]> = [
      [(m) => (m.recipe.epochs = 2.5), '/comparison/models/1/recipe/epochs must be integer'],
      [(m) => delete m.recipe.maxLearningRate, "/comparison/models/1/recipe must have required property 'maxLearningRate'"],
      [(m) => (m.recipe.averageWeights = 1), '/comparison/models/1/recipe/averageWeights must be < 1'],
      [(m) => (m.recipe.tta = 'yes'), '/comparison/models/1/recipe/tta must be boolean'],
      [(m) => (m.recipe.augment = { maxZoom: '10%' }), '/comparison/models/1/recipe/augment/maxZoom must be number'],
      // the same bounds as a training job's (one list of augmentation fields serves both schemas)
      [(m) => (m.recipe.augment = { maxZoom: 1 }), '/comparison/models/1/recipe/augment/maxZoom must be < 1'],
      [(m) => (m.recipe.augment = { maxElasticPx: 2, elasticGridPx: 0 }), '/comparison/models/1/recipe/augment/elasticGridPx must be >= 1'],
      [(m) => (m.recipe.augment = { maxShiftPx: 5000 }), '/comparison/models/1/recipe/augment/maxShiftPx must be <= 4096'],
      [(m) => (m.seed = '20742'), '/comparison/models/1/seed must be integer'],
      [(m) => delete m.ensemble.members[2].seed, "/comparison/models/1/ensemble/members/2 must have required property 'seed'"],
      [(m) => (m.ensemble.members = []), '/comparison/models/1/ensemble/members must NOT have fewer than 1 items'],
      [(m) => (m.ensemble.testDisagreements = -1), '/comparison/models/1/ensemble/testDisagreements must be >= 0'],
    ];
    for (const [damage, message] of cases) {
      const json = JSON.parse(original);
      damage(json.comparison.models[1]);
      await writeFile(path, JSON.stringify(json));
      await expect(loadReportData(dir), message).rejects.toThrow(`${path}: field ${message}`);
    }
  });

  it('says how to make the file when it is missing', async () => {
    const dir = await tempDir();
    await expect(loadReportData(dir)).rejects.toThrow(/report-data.json: not found \(run 'digits run --out .*' first\)/);
  });
});
