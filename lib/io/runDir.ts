import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, rmSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { concat, defer, from, ignoreElements, Observable, switchMap } from 'rxjs';
import { UserError } from '../errors.ts';
import { STAGING_PREFIX } from './atomic.ts';
import { createOutDir } from './outDir.ts';
import { describeFileError, fileSystemError } from './fileErrors.ts';

/*
 * An out dir as a transaction. A run writes its files into a staging directory inside the out dir
 * (same file system, so moving them is a rename), and one short commit step makes them live:
 *
 *   1. the new manifest is written into the staging directory: from then on the run is decided,
 *   2. each staged entry replaces the live one of the same name (the old one is moved aside),
 *   3. entries of the previous set that the new one does not keep are moved aside,
 *   4. the manifest is renamed into the out dir, last, and the staging directory removed.
 *
 * Each step can be repeated, so a commit cut short by a kill is finished by the next start in that
 * dir (`openRun` rolls it forward); a staging directory without a manifest is an unfinished run, and
 * is removed. Callers defer Ctrl-C while `commit` runs (see `commitInProgress`).
 */

/** The manifest of the run an out dir holds: written last, so its presence means the set is whole. */
export const RUN_MANIFEST = 'run.json';
const MOVED_ASIDE = '.replaced';
const MANIFEST_FORMAT = 'digit-flow-run';

/**
 * Names a run of digit-flow writes at the top of an out dir. In a dir written before manifests
 * existed, these make up the previous set.
 */
const OUTPUT_NAME = /^(submission-[\w.-]+\.csv|metrics(-[\w.-]+)?\.json|model-[\w.-]+|report\.html|report-data\.json|eda\.html|charts)$/;

/** One file of a run: its path in the out dir (with '/' separators), size, SHA-256, and the run that wrote it. */
export interface RunFile {
  path: string;
  bytes: number;
  sha256: string;
  run: string;
}

/** `run.json`: which run an out dir holds, with every file of the set. */
export interface RunManifest {
  format: typeof MANIFEST_FORMAT;
  version: 1;
  runId: string;
  /** The command that made it, e.g. `digits run --quick`. */
  command: string;
  seed?: number;
  started: string;
  finished: string;
  files: RunFile[];
}

/** A top-level entry a run will write: checked before any work starts. */
export interface PlannedOutput {
  name: string;
  kind: 'file' | 'directory';
}

/** What a run records about itself, and what it plans to write. */
export interface RunDirOptions {
  command: string;
  seed?: number;
  /** Entries checked up front: an existing one of the other kind is an error, before any work. */
  writes?: readonly PlannedOutput[];
  /**
   * Top-level names of the previous set that stay in the new one (`digits train` keeps the other
   * model's files); everything else of the previous set is replaced or removed. Default: none.
   */
  keep?: (name: string) => boolean;
  /** Told about an unfinished run found and cleaned up, or a commit rolled forward. */
  onNotice?: (message: string) => void;
  /** Called when the run is open, before any work (so that an interrupt can name it). */
  onOpen?: (run: RunDir) => void;
  /** Called with the manifest once the run's files are live. */
  onCommit?: (manifest: RunManifest) => void;
}

let activeCommit: Promise<unknown> | undefined;


const pendingDrops = new Set<Promise<void>>();

/** Staging paths of dropped runs, swept once more, synchronously, when the process exits. */
const dropped = new Set<string>();

/**
 * A writer still in flight when its run was dropped can race the removal; the exit sweep is
 * synchronous, so nothing can write after it.
 */
function sweepAtExit(staging: string): void {
  if (dropped.size === 0) {
    process.once('exit', () => {
      for (const path of dropped) for (const p of [path, `${path}.dropped`]) rmSync(p, { recursive: true, force: true });
    });
  }
  dropped.add(staging);
}

/** The commit being made right now, if any: an interrupt waits for it rather than splitting it. */
export function commitInProgress(): Promise<unknown> | undefined {
  return activeCommit;
}

/**
 * Resolves once every run of this process is settled: a commit under way finished (or failed) and
 * every dropped run's files removed. An interrupt waits for this before it reports and exits.
 */
export async function runsSettled(): Promise<void> {
  await Promise.allSettled([activeCommit, ...pendingDrops]);
}

/** An open run: files go into `staging`, then `commit()` makes them the out dir's set, or `abort()` drops them. */
export class RunDir {
  private state: 'open' | 'committing' | 'done' = 'open';

  private constructor(
    /** The out dir. */
    readonly dir: string,
    /** Where this run writes: a directory inside `dir`. */
    readonly staging: string,
    readonly runId: string,
    private readonly options: RunDirOptions,
    private readonly started: Date,
  ) {}

  /**
   * Checks the out dir before any work (exists or can be created, is a directory, is writable, no
   * planned name of the wrong kind), finishes or removes what a stopped process left there, and
   * opens a staging directory for this run.
   */
  static async open(dir: string, options: RunDirOptions): Promise<RunDir> {
    await createOutDir(dir);
    await recoverStaging(dir, options.onNotice);
    for (const planned of options.writes ?? []) await checkPlanned(dir, planned);
    const runId = newRunId();
    const staging = join(dir, `${STAGING_PREFIX}${process.pid}-${runId}`);
    try {
      await mkdir(staging);
    } catch (error) {
      throw new UserError(`cannot write to output directory ${dir}: ${describeFileError(error)}`);
    }
    return new RunDir(dir, staging, runId, options, new Date());
  }

  /** The staged path of an output, e.g. `stage.path('submission-mlp.csv')`. */
  path(name: string): string {
    return join(this.staging, name);
  }

  /** The live path a staged path will have once committed (for messages and results). */
  livePath(path: string): string {
    const rel = relative(this.staging, path);
    return rel.startsWith('..') ? path : join(this.dir, rel);
  }

  /** An error about a staged file, re-worded to name the live path (the one the user knows). */
  namingLivePaths(error: unknown): unknown {
    if (!(error instanceof Error) || !error.message.includes(this.staging)) return error;
    const fsError = error as NodeJS.ErrnoException & { dest?: string };
    return fileSystemError(
      error.message.split(this.staging).join(this.dir),
      fsError.code,
      fsError.path === undefined ? undefined : this.livePath(fsError.path),
      fsError.dest === undefined ? undefined : this.livePath(fsError.dest),
    );
  }

  /**
   * Makes the staged files the out dir's set, in one step that a Ctrl-C does not split, and returns
   * the manifest written last.
   */
  async commit(): Promise<RunManifest> {
    if (this.state !== 'open') throw new Error(`RunDir.commit: the run is already ${this.state}`);
    this.state = 'committing';
    const committing = this.commitNow();
    activeCommit = committing;
    try {
      return await committing;
    } catch (error) {
      // undecided (no manifest in staging): the previous set is untouched, drop this run's files;
      // decided: the next start in this dir finishes the commit
      if (!(await lstat(join(this.staging, RUN_MANIFEST)).catch(() => undefined))) await rm(this.staging, { recursive: true, force: true });
      throw error;
    } finally {
      activeCommit = undefined;
      this.state = 'done';
    }
  }

  /**
   * Drops the staged files; the out dir keeps its previous set. Does nothing once a commit started.
   * Work still in flight (a report being rendered) then fails to write: the library's writers never
   * re-create a staging directory (see `makeDirectory`).
   */
  abort(): Promise<void> {
    if (this.state !== 'open') return Promise.resolve();
    this.state = 'done';
    const dropping = this.drop();
    pendingDrops.add(dropping);
    return dropping.finally(() => pendingDrops.delete(dropping));
  }

  private async drop(): Promise<void> {
    sweepAtExit(this.staging);
    // out of the way first, in one rename: a writer still in flight then finds no staging directory
    // (and may not re-create it), so nothing can land in the tree while it is being removed
    const aside = `${this.staging}.dropped`;
    const moved = await rename(this.staging, aside).then(
      () => true,
      () => false,
    );
    await rm(moved ? aside : this.staging, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
  }

  private async commitNow(): Promise<RunManifest> {
    const previous = await liveSet(this.dir);
    const keep = this.options.keep ?? (() => false);
    const staged = await filesBelow(this.staging, this.runId);
    const stagedTop = new Set(staged.map((f) => topName(f.path)));
    const kept = previous.files.filter((f) => keep(topName(f.path)) && !stagedTop.has(topName(f.path)));
    for (const file of kept) if (!file.sha256) Object.assign(file, await describeFile(this.dir, file.path, file.run));
    const manifest: RunManifest = {
      format: MANIFEST_FORMAT,
      version: 1,
      runId: this.runId,
      command: this.options.command,
      ...(this.options.seed === undefined ? {} : { seed: this.options.seed }),
      started: this.started.toISOString(),
      finished: new Date().toISOString(),
      files: [...staged, ...kept].sort((a, b) => a.path.localeCompare(b.path)),
    };
    // the decision: a whole manifest in the staging directory
    const decided = join(this.staging, RUN_MANIFEST);
    await writeFile(`${decided}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
    await rename(`${decided}.tmp`, decided);
    await applyCommit(this.dir, this.staging, manifest);
    return manifest;
  }
}

/** A run id: sortable by time, unique enough for one out dir. */
function newRunId(): string {
  return `${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

async function checkPlanned(dir: string, planned: PlannedOutput): Promise<void> {
  const path = join(dir, planned.name);
  const info = await lstat(path).catch(() => undefined);
  if (!info) return;
  if (planned.kind === 'directory' && !info.isDirectory()) throw new UserError(`${path} exists and is not a directory; this run writes a directory there`);
  if (planned.kind === 'file' && info.isDirectory()) throw new UserError(`${path} is a directory; this run writes a file there`);
}

/** Staging directories left by stopped processes: a decided one is finished, an undecided one removed. */
async function recoverStaging(dir: string, onNotice: ((message: string) => void) | undefined): Promise<void> {
  for (const name of await readdir(dir)) {
    if (!name.startsWith(STAGING_PREFIX)) continue;
    const pid = Number(name.slice(STAGING_PREFIX.length).split('-')[0]);
    const staging = join(dir, name);
    if (pid !== process.pid && processAlive(pid)) {
      throw new UserError(`output directory ${dir} is being written by another process (pid ${pid}); wait for it, or choose another directory`);
    }
    const manifest = await readManifestFile(join(staging, RUN_MANIFEST)).catch(() => undefined);
    if (manifest) {
      await applyCommit(dir, staging, manifest);
      onNotice?.(`${dir}: finished committing run ${manifest.runId}, which a stopped process had begun`);
    } else {
      await rm(staging, { recursive: true, force: true });
      onNotice?.(`${dir}: removed the unfinished files of a stopped run (${name})`);
    }
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Steps 2–4 of a commit; each can be repeated after a kill. */
async function applyCommit(dir: string, staging: string, manifest: RunManifest): Promise<void> {
  const previous = await liveSet(dir);
  const aside = join(staging, MOVED_ASIDE);
  await mkdir(aside, { recursive: true });
  const moveAside = async (name: string): Promise<void> => {
    const live = join(dir, name);
    if (!(await lstat(live).catch(() => undefined))) return;
    await rm(join(aside, name), { recursive: true, force: true });
    await rename(live, join(aside, name));
  };
  for (const name of await readdir(staging)) {
    if (name === RUN_MANIFEST || name === MOVED_ASIDE || name.endsWith('.tmp')) continue;
    await moveAside(name);
    await rename(join(staging, name), join(dir, name));
  }
  const wanted = new Set(manifest.files.map((f) => topName(f.path)));
  for (const name of new Set(previous.files.map((f) => topName(f.path)))) {
    if (!wanted.has(name)) await moveAside(name);
  }
  await rename(join(staging, RUN_MANIFEST), join(dir, RUN_MANIFEST));
  await rm(staging, { recursive: true, force: true });
}

/** The set an out dir holds now: its manifest's files, or, without one, the outputs found there. */
async function liveSet(dir: string): Promise<{ manifest?: RunManifest; files: RunFile[] }> {
  const manifest = await readManifestFile(join(dir, RUN_MANIFEST)).catch(() => undefined);
  if (manifest) return { manifest, files: manifest.files.map((f) => ({ ...f })) };
  const files: RunFile[] = [];
  for (const name of await readdir(dir)) {
    // hashed later, and only if kept
    if (OUTPUT_NAME.test(name)) files.push(...(await filesBelow(join(dir, name), 'unknown', name, false)));
  }
  return { files };
}

/** Every file below `root` (or `root` itself), with paths relative to the out dir. */
async function filesBelow(root: string, run: string, prefix = '', hash = true): Promise<RunFile[]> {
  const info = await lstat(root);
  if (!info.isDirectory()) return [{ path: prefix, bytes: info.size, sha256: hash ? await sha256(root) : '', run }];
  const files: RunFile[] = [];
  for (const name of (await readdir(root)).sort()) {
    if (!prefix && (name === RUN_MANIFEST || name === MOVED_ASIDE || name.endsWith('.tmp'))) continue;
    files.push(...(await filesBelow(join(root, name), run, prefix ? `${prefix}/${name}` : name, hash)));
  }
  return files;
}

async function describeFile(dir: string, path: string, run: string): Promise<RunFile> {
  const full = join(dir, ...path.split('/'));
  return { path, bytes: (await stat(full)).size, sha256: await sha256(full), run };
}

/** The hex SHA-256 of a file's content, read as a stream. */
export function sha256(path: string): Promise<string> {
  return new Promise((done, fail) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => done(hash.digest('hex')))
      .on('error', fail);
  });
}

function topName(path: string): string {
  return path.split('/')[0];
}

async function readManifestFile(path: string): Promise<RunManifest> {
  const json = JSON.parse(await readFile(path, 'utf8')) as RunManifest;
  if (json?.format !== MANIFEST_FORMAT || !Array.isArray(json.files)) throw new Error(`${path}: not a digit-flow run manifest`);
  return json;
}

/**
 * The manifest of the run `dir` holds, or undefined when it holds none (no `run.json`).
 *
 * @example
 * const run = await readRunManifest('out');
 * console.log(run ? `out holds run ${run.runId} (${run.command})` : 'out holds no finished run');
 */
export async function readRunManifest(dir: string): Promise<RunManifest | undefined> {
  const path = join(dir, RUN_MANIFEST);
  try {
    return await readManifestFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw new UserError(`${path}: ${error instanceof SyntaxError ? 'not valid JSON' : describeFileError(error)}`);
  }
}

/** What {@link verifyRun} found: the manifest, and one line per file that does not match it. */
export interface RunVerification {
  manifest: RunManifest;
  problems: string[];
}

/**
 * Checks an out dir against its manifest: every file present with its size and SHA-256, and no
 * unfinished staging left behind.
 *
 * @example
 * const { manifest, problems } = await verifyRun('out');
 * if (problems.length) console.error(problems.join('\n'));
 */
export async function verifyRun(dir: string): Promise<RunVerification> {
  const manifest = await readRunManifest(dir);
  if (!manifest) throw new UserError(`${join(dir, RUN_MANIFEST)}: not found: ${dir} holds no finished run`);
  const problems: string[] = [];
  for (const file of manifest.files) {
    const full = join(dir, ...file.path.split('/'));
    if (resolve(full) !== resolve(dir) && !resolve(full).startsWith(resolve(dir) + sep)) {
      problems.push(`${file.path}: outside ${dir}`);
      continue;
    }
    const info = await stat(full).catch(() => undefined);
    if (!info) problems.push(`${join(dir, file.path)}: missing`);
    else if (info.size !== file.bytes) problems.push(`${join(dir, file.path)}: ${info.size} bytes, the manifest says ${file.bytes}`);
    else if ((await sha256(full)) !== file.sha256) problems.push(`${join(dir, file.path)}: contents differ from the manifest (SHA-256)`);
  }
  for (const name of await readdir(dir)) {
    if (name.startsWith(STAGING_PREFIX)) problems.push(`${join(dir, name)}: files of an unfinished run (removed by the next run here)`);
  }
  return { manifest, problems };
}

/**
 * Runs `body` as one transaction on the out dir `dir`: the dir is checked and a run opened before
 * any work, `body` writes into `run.staging`, and when it completes its files become the dir's set
 * in one commit. An error or an unsubscribe (Ctrl-C) drops the staged files and leaves the previous
 * set untouched; an unsubscribe during the commit lets the commit finish. Errors about staged files
 * name the live paths.
 *
 * @example
 * withRunDir('out', { command: 'my-job' }, (run) => trainModel({ model: 'mlp', data, outDir: run.staging }))
 *   .subscribe({ complete: () => console.log('out/ holds the new run') });
 */
export function withRunDir<T>(dir: string, options: RunDirOptions, body: (run: RunDir) => Observable<T>): Observable<T> {
  return defer(() => from(RunDir.open(dir, options))).pipe(
    switchMap(
      (run) =>
        new Observable<T>((subscriber) => {
          options.onOpen?.(run);
          const committed = defer(async () => {
            const manifest = await run.commit();
            options.onCommit?.(manifest);
          }).pipe(ignoreElements());
          const subscription = concat(body(run), committed).subscribe({
            next: (value) => subscriber.next(value as T),
            error: (error: unknown) => {
              const named = run.namingLivePaths(error);
              run.abort().then(
                () => subscriber.error(named),
                () => subscriber.error(named),
              );
            },
            complete: () => subscriber.complete(),
          });
          return () => {
            subscription.unsubscribe();
            void run.abort();
          };
        }),
    ),
  );
}
