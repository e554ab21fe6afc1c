import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.ts';

/**
 * tfjs-backend-wasm ships a threaded SIMD build (XNNPACK on a pthreadpool) but refuses it in Node:
 * the WASM_HAS_MULTITHREAD_SUPPORT flag is hard-wired to false there, the pthread worker and main
 * script are handed over as Blob URLs (which Node's worker_threads cannot load), the bundled
 * factory refers to the bundle's `require$$N` names, and the pool is capped at half the logical
 * cores (1 on a 2-core machine). `withThreadedWasm` lifts each of these for the duration of the
 * backend's initialisation only, so every op then runs on `threads` cores with no change in the
 * code that trains.
 *
 * @example
 * await withThreadedWasm(2, () => tf.setBackend('wasm'));
 */
export async function withThreadedWasm<T>(threads: number, initialise: () => Promise<T>): Promise<T> {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new UserError(`selectBackend: threads must be an integer >= 1, got ${threads}`);
  }
  const scriptDir = mkdtempSync(join(os.tmpdir(), 'digit-flow-wasm-'));
  const originalCpus = os.cpus;
  const restore = [
    patchBlobsToFiles(scriptDir),
    patchProperty(os, 'cpus', () => {
      const cpus = originalCpus();
      // The C++ side uses cpus / 2 as its cap, so report twice the threads we want.
      return Array.from({ length: threads * 2 }, (_, i) => cpus[i % cpus.length]);
    }),
  ];
  try {
    return await initialise();
  } finally {
    restore.reverse().forEach((undo) => undo());
    // The workers have read their scripts by now (they load before the module resolves).
    rmSync(scriptDir, { recursive: true, force: true });
  }
}

/** Bundle-local names the threaded factory's source refers to once it is evaluated on its own. */
const FACTORY_PRELUDE =
  "var require$$0=require('fs'),require$$1=require('path'),require$$3=require('perf_hooks')," +
  "require$$4=require('os'),commonjsGlobal=globalThis;\n";

/** In the pthread worker, the main script arrives as a cloned FileBlob: load it from its file. */
const WORKER_PRELUDE = 'URL.createObjectURL = (blob) => blob.path;\n';

type Undo = () => void;

/**
 * Replaces Blob / URL.createObjectURL with a version that writes the script to a .cjs file and
 * hands out its path, which both Node's Worker and the worker's importScripts (fs.readFileSync) load.
 */
function patchBlobsToFiles(dir: string): Undo {
  let count = 0;
  class FileBlob {
    readonly path: string;
    constructor(parts: readonly string[], options?: { type?: string }) {
      this.path = join(dir, `script-${count++}.cjs`);
      const isWorker = options?.type === 'application/javascript';
      writeFileSync(this.path, (isWorker ? WORKER_PRELUDE : FACTORY_PRELUDE) + parts.join(''));
    }
  }
  const undoBlob = patchProperty(globalThis, 'Blob', FileBlob as unknown as typeof Blob);
  const undoUrl = patchProperty(URL, 'createObjectURL', ((blob: FileBlob) => blob.path) as unknown as (
    obj: Blob,
  ) => string);
  return () => {
    undoUrl();
    undoBlob();
  };
}

function patchProperty<O extends object, K extends keyof O>(owner: O, key: K, value: O[K]): Undo {
  const original = owner[key];
  owner[key] = value;
  return () => {
    owner[key] = original;
  };
}
