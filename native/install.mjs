#!/usr/bin/env node
// `npm install` step of digit-flow: builds the optional native backend (binding.gyp) with node-gyp.
// It never fails the install: without a compiler, oneDNN or Node's headers it prints one line saying
// why, records the reason in build/native-install.log for the runtime's one-line notice, and exits 0;
// the library then runs on wasm. Nothing is downloaded: node-gyp gets Node's headers from
// $npm_config_nodedir (default: the prefix Node is installed under), never from the internet.
// DIGIT_FLOW_NATIVE=0 skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const logFile = join(root, 'build', 'native-install.log');
const addonFile = join(root, 'build', 'Release', 'digit_flow_native.node');

function finish(reason, detail = '') {
  mkdirSync(dirname(logFile), { recursive: true });
  writeFileSync(logFile, `${reason ? `reason: ${reason}` : 'built'}\n${detail}`);
  // An addon left from an earlier build must not run in place of the one this install meant to make.
  if (reason) rmSync(addonFile, { force: true });
  if (reason) console.log(`digit-flow: native backend not built (${reason}); the wasm backend will be used`);
  process.exit(0);
}

function which(command) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command)));
}

/** Include directories a C++ compiler searches by default, plus the ones the environment adds. */
function includeDirs() {
  const fromEnv = [process.env.CPATH, process.env.CPLUS_INCLUDE_PATH].flatMap((v) => (v ? v.split(delimiter) : []));
  return [...fromEnv, '/usr/include', '/usr/local/include', '/opt/homebrew/include'];
}

if (process.env.DIGIT_FLOW_NATIVE === '0') finish('turned off by DIGIT_FLOW_NATIVE=0');

const nodeDir = process.env.npm_config_nodedir || dirname(dirname(process.execPath));
if (!existsSync(join(nodeDir, 'include', 'node', 'node_api.h'))) {
  finish(`Node's headers not found under ${join(nodeDir, 'include', 'node')}; set npm_config_nodedir to Node's install prefix`);
}
const compiler = process.env.CXX || 'c++';
if (!which(compiler) && !existsSync(compiler)) finish(`no C++ compiler (${compiler}); on Debian: apt-get install g++`);
if (!includeDirs().some((dir) => existsSync(join(dir, 'oneapi', 'dnnl', 'dnnl.hpp')))) {
  finish('oneDNN not found; on Debian: apt-get install libdnnl-dev');
}
const nodeGyp = [process.env.npm_config_node_gyp, join(nodeDir, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')].find(
  (path) => path && existsSync(path),
);
if (!nodeGyp) finish('node-gyp not found (it comes with npm)');

const jobs = String(Math.max(1, Math.min(4, (await import('node:os')).availableParallelism())));
const build = spawnSync(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodeDir}`, '--jobs', jobs], {
  cwd: root,
  encoding: 'utf8',
  env: { ...process.env, npm_config_nodedir: nodeDir },
});
const output = `${build.stdout ?? ''}${build.stderr ?? ''}`;
if (build.status !== 0 || !existsSync(addonFile)) {
  const error = output.split('\n').find((line) => /error/i.test(line) && !/^gyp (info|ERR! (stack|System|command|cwd|node|not ok))/.test(line));
  finish(`compilation failed${error ? `: ${error.trim().slice(0, 160)}` : ''}; details in build/native-install.log`, output);
}
// Built is not enough: the library oneDNN links at run time must load too.
const check = spawnSync(process.execPath, ['-e', `const a = require(${JSON.stringify(addonFile)}).info(); console.log(a.dnnl + ' ' + a.isa)`], {
  encoding: 'utf8',
});
if (check.status !== 0) {
  finish(`built but does not load: ${(check.stderr.split('\n').find((l) => /Error/.test(l)) ?? '').trim().slice(0, 160)}`, output + check.stderr);
}
console.log(`digit-flow: native backend built (oneDNN ${check.stdout.trim()})`);
finish(undefined, output);
