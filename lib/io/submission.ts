import { lastValueFrom, toArray } from 'rxjs';
import { InputFileError, UserError } from '../errors.ts';
import { writeFileAtomic } from './atomic.ts';
import { readCsv } from './csv.ts';
import { quoteSnippet } from './snippet.ts';

/** Kaggle's submission header. */
export const SUBMISSION_HEADER = 'ImageId,Label';

/** Options of {@link writeSubmission}. */
export interface SubmissionOptions {
  /**
   * The header, id column first (default `ImageId,Label`, the Digit Recognizer's). With the default,
   * ids must be 1..N in order, as that competition wants; with another (Kannada-MNIST's `id,label`)
   * the test file's own ids are echoed, and must be unique integers >= 0.
   */
  header?: readonly [string, string];
  /**
   * The label texts by class index (a format's `classes[k].label`): each row's class index is
   * written as its label, as the input wrote it (`24`, `cat`). Without it the class indices are
   * written, and must be 0–9 (the Digit Recognizer's digits).
   */
  classes?: readonly string[];
}

/**
 * Writes a Kaggle submission: one row per test image, in test order. With the default header
 * (`ImageId,Label`) `ids[i]` must be i + 1 — a gap, duplicate or reordering means predictions were
 * lost or shuffled, and is refused rather than written. The file appears only when complete (temp
 * name + rename).
 *
 * @example
 * await writeSubmission('out/submission.csv', prediction.ids, prediction.labels);
 * await writeSubmission('out/kannada.csv', test.ids, labels, { header: ['id', 'label'] });
 * await writeSubmission('out/fashion.csv', ids, labels, { classes: format.classes.map((c) => c.label) });
 */
export async function writeSubmission(path: string, ids: ArrayLike<number>, labels: ArrayLike<number>, options: SubmissionOptions = {}): Promise<void> {
  const header = options.header ?? (SUBMISSION_HEADER.split(',') as [string, string]);
  if (header.length !== 2 || header.some((name) => !/^[^,"\r\n]+$/.test(name))) {
    throw new UserError(`writeSubmission(${path}): header must be two column names without commas or quotes, got ${quoteSnippet(String(header))}`);
  }
  if (ids.length !== labels.length) {
    throw new UserError(`writeSubmission(${path}): ${ids.length} ids but ${labels.length} labels`);
  }
  if (ids.length === 0) throw new UserError(`writeSubmission(${path}): no predictions to write`);
  const sequential = options.header === undefined;
  const classes = options.classes?.map(csvField);
  const seen = new Set<number>();
  const lines: string[] = [header.join(',')];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (sequential && id !== i + 1) {
      throw new UserError(`writeSubmission(${path}): row ${i + 1} has ImageId ${id}, expected ${i + 1} (one row per test image, in test order)`);
    }
    if (!sequential && (!Number.isInteger(id) || id < 0 || seen.has(id))) {
      throw new UserError(`writeSubmission(${path}): row ${i + 1} has ${header[0]} ${id}, ${seen.has(id) ? 'a repeated id' : 'not an integer >= 0'}`);
    }
    seen.add(id);
    const label = labels[i];
    const last = classes ? classes.length - 1 : 9;
    if (!Number.isInteger(label) || label < 0 || label > last) {
      throw new UserError(`writeSubmission(${path}): ${header[0]} ${id} has ${classes ? 'class index' : 'label'} ${label}, expected 0–${last}`);
    }
    lines.push(`${id},${classes ? classes[label] : label}`);
  }
  await writeFileAtomic(path, `${lines.join('\n')}\n`);
}

/** A label as a CSV field: quoted when it holds a comma, a quote or a line end. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The submission header that echoes a test file's id column: `id` gives `id,label`, `ImageId` gives `ImageId,Label`. */
export function submissionHeaderFor(idColumn: string): [string, string] {
  return [idColumn, idColumn === idColumn.toLowerCase() ? 'label' : 'Label'];
}

/** A submission or answers file (`ImageId,Label`, `id,label`, ...), read and validated: label by id. */
export async function readLabels(path: string): Promise<Map<number, number>> {
  const rows = await lastValueFrom(readCsv(path).pipe(toArray()));
  if (rows.length === 0) throw new InputFileError(path, 1, undefined, 'the file is empty (no header)');
  const header = rows[0].fields;
  if (header.length !== 2 || header.some((name) => name === '')) {
    throw new InputFileError(path, 1, undefined, `header is ${quoteSnippet(header.join(','))}, expected an id and a label column such as '${SUBMISSION_HEADER}'`);
  }
  const [idName, labelName] = header;
  const labels = new Map<number, number>();
  const lineOf = new Map<number, number>();
  for (const { line, fields } of rows.slice(1)) {
    if (fields.length === 1 && fields[0] === '') continue; // blank line
    if (fields.length !== 2) throw new InputFileError(path, line, undefined, `expected 2 fields, found ${fields.length}`);
    const id = Number(fields[0]);
    const label = Number(fields[1]);
    if (!/^\d+$/.test(fields[0]) || (idName === 'ImageId' && id < 1)) {
      throw new InputFileError(path, line, idName, `${quoteSnippet(fields[0], 20)} is not ${idName === 'ImageId' ? 'a positive integer' : 'an integer >= 0'}`);
    }
    if (!/^\d$/.test(fields[1])) throw new InputFileError(path, line, labelName, `${quoteSnippet(fields[1], 20)} is not a digit 0–9`);
    if (labels.has(id)) throw new InputFileError(path, line, idName, `duplicate ${idName} ${id} (first on line ${lineOf.get(id)})`);
    labels.set(id, label);
    lineOf.set(id, line);
  }
  if (labels.size === 0) throw new InputFileError(path, 2, undefined, 'no rows after the header');
  return labels;
}

/**
 * The result of {@link score} / {@link scoreLabels}: `correct` of `total` ImageIds got their true
 * label, and `accuracy` is `correct / total` (0–1).
 */
export interface Score {
  accuracy: number;
  correct: number;
  total: number;
}

/** Accuracy of predicted labels against answers; both must cover exactly the same ImageIds. */
export function scoreLabels(submission: Map<number, number>, answers: Map<number, number>, submissionName = 'submission'): Score {
  const missing = [...answers.keys()].filter((id) => !submission.has(id));
  if (missing.length > 0) {
    const more = missing.length > 1 ? ` (and ${missing.length - 1} more)` : '';
    throw new UserError(`${submissionName}: missing ImageId ${missing[0]}${more}`);
  }
  const extra = [...submission.keys()].filter((id) => !answers.has(id));
  if (extra.length > 0) {
    const more = extra.length > 1 ? ` (and ${extra.length - 1} more)` : '';
    throw new UserError(`${submissionName}: ImageId ${extra[0]} is not in the answers${more}`);
  }
  let correct = 0;
  for (const [id, label] of answers) if (submission.get(id) === label) correct++;
  return { accuracy: correct / answers.size, correct, total: answers.size };
}

/**
 * Scores a submission file against an answers file (both `ImageId,Label`). Missing, duplicate or
 * extra ImageIds are errors, never silently counted as wrong or ignored.
 */
export async function score(submissionPath: string, answersPath: string): Promise<Score> {
  const [submission, answers] = await Promise.all([readLabels(submissionPath), readLabels(answersPath)]);
  return scoreLabels(submission, answers, submissionPath);
}
