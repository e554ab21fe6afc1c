#!/usr/bin/env node
// The `digits` executable (package.json `bin`, compiled to dist/pipelines/digits.js).
import { main } from './cli.ts';

await main(process.argv);
