// `node --import ./recordImports.mjs ...`: appends the URL of every module the process imports, one a
// line, to the file named by DIGIT_FLOW_IMPORTS_LOG. Plain JavaScript: node loads it before any
// TypeScript loader could. This one file both registers the hook and is the hook module.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

/** The module resolution hook: records where each import resolved to. */
export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(process.env.DIGIT_FLOW_IMPORTS_LOG, `${resolved.url}\n`);
  return resolved;
}

// the hooks run on a thread of their own, which imports this file again: register once, from the main thread
if (isMainThread) register(import.meta.url);
