import { mkdir } from 'node:fs/promises';
import { UserError } from '../errors.ts';

/** Creates an output directory (and its parents), or fails with one line saying why. */
export async function createOutDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new UserError(`cannot create output directory ${dir}: ${(error as Error).message}`);
  }
}
