#!/usr/bin/env node
// The `digits` executable (package.json `bin`, compiled to dist/pipelines/digits.js).
import { interruptBeforeWork, quietOnClosedPipes } from './pipes.ts';

// Before anything else loads (a command's modules, tfjs among them, take a moment when it runs): a
// Ctrl-C from the first instant on ends the command with one line and exit code 130, and a closed
// pipe is never a crash.
quietOnClosedPipes();
interruptBeforeWork();
const { main } = await import('./cli.ts');
await main(process.argv);
// Interrupted: the out dir is settled and the message printed; work still in flight (a prediction,
// a report being rendered into the dropped staging directory) is not waited for.
if (process.exitCode === 130) process.exit(130);
