import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { comparisonTableChart } from '../../lib/charts/comparisonTable.ts';
import { confusionMatricesChart } from '../../lib/charts/confusion.ts';
import { digitGridChart } from '../../lib/charts/digitGrid.ts';
import { disagreementChart } from '../../lib/charts/disagreement.ts';
import { distributionChart } from '../../lib/charts/distribution.ts';
import { ensembleMembersChart } from '../../lib/charts/ensembleMembers.ts';
import { perClassChart } from '../../lib/charts/perClass.ts';
import { trainingCurvesChart } from '../../lib/charts/trainingCurves.ts';
import { PIXELS } from '../../lib/types.ts';
import { smallReport, specsOf } from './fixtures.ts';

const require = createRequire(import.meta.url);
const schema = JSON.parse(readFileSync(require.resolve('vega-lite/vega-lite-schema.json'), 'utf8'));
const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);

function errorsOf(spec: unknown): string {
  return validate(spec) ? '' : JSON.stringify(validate.errors?.slice(0, 3));
}

describe('every spec validates against the Vega-Lite schema shipped in vega-lite', () => {
  it('rejects an invalid spec (the validator is live)', () => {
    expect(validate({ mark: 'no-such-mark', data: { values: [] } })).toBe(false);
    const bar = distributionChart([{ label: 1, count: 2, share: 1 }]);
    expect(errorsOf(bar)).toBe('');
    expect(validate({ ...bar, encoding: { ...('encoding' in bar ? bar.encoding : {}), x: { field: 'label', type: 'ordinal', bogus: 1 } } })).toBe(false);
  });

  for (const [title, options] of [
    ['two models with test answers', {}],
    ['two models without test answers', { testAnswers: false }],
    ['one model', { models: 1 }],
    ['two models, the second an ensemble', { ensemble: true }],
    ['an ensemble without test answers', { ensemble: true, testAnswers: false }],
  ] as const) {
    it(`full report: ${title}`, () => {
      const specs = specsOf(smallReport(options));
      expect(specs.length).toBeGreaterThan(5);
      for (const { name, spec } of specs) expect(errorsOf(spec), name).toBe('');
    });
  }

  it('edge cases: empty data, no predictions, no validation history', () => {
    const confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
    const specs = [
      distributionChart([]),
      digitGridChart([], { title: 'nothing' }),
      digitGridChart([{ id: 1, pixels: new Uint8Array(PIXELS) }], { title: 'one', columns: 3 }),
      trainingCurvesChart([{ model: 'm', history: [{ epoch: 1, loss: 1, accuracy: 0.5, seconds: 1, samplesPerSec: 1 }] }]),
      confusionMatricesChart([{ model: 'm', confusion }], 'validation'),
      perClassChart([], 'test'),
      disagreementChart({ model: 'a', predictions: [] }, { model: 'b', predictions: [] }),
      comparisonTableChart([]),
      ensembleMembersChart([]),
      ensembleMembersChart([{ model: 'm', accuracy: 0.5, members: [{ member: 1, accuracy: 0.5 }] }], { dataName: 'validation' }),
    ];
    for (const spec of specs) expect(errorsOf(spec)).toBe('');
  });
});
