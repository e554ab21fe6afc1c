import { UserError } from '../errors.ts';

// Without tfjs: `digits --help` and the CLI's option checks load this module alone.

/**
 * A tfjs backend this library can run on: 'tensorflow' (libtensorflow, needs the optional package
 * `@tensorflow/tfjs-node`), 'native' (this package's addon over oneDNN, built at install where a C++
 * compiler and oneDNN are present), 'wasm' (XNNPACK, multi-threaded, always there) or 'cpu' (plain
 * JavaScript, slowest).
 */
export type BackendName = 'tensorflow' | 'native' | 'wasm' | 'cpu';
/** The accepted values of the `backend` option and `--backend`: 'auto' or a {@link BackendName}. */
export const BACKEND_CHOICES = ['auto', 'tensorflow', 'native', 'wasm', 'cpu'] as const;
/** A backend to ask {@link selectBackend} for; 'auto' takes the fastest one that loads. */
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** Checks a `--backend` value; the error names the option and the accepted values. */
export function parseBackendChoice(value: string): BackendChoice {
  if (!(BACKEND_CHOICES as readonly string[]).includes(value)) {
    throw new UserError(`--backend must be one of ${BACKEND_CHOICES.join(', ')}, got '${value}'`);
  }
  return value as BackendChoice;
}
