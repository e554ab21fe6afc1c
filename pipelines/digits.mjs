#!/usr/bin/env node
// The `digits` executable: registers the TypeScript loader, then runs the CLI from source.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
