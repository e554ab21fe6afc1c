import { makeDirectory } from './atomic.ts';
import { UserError } from '../errors.ts';
import { describeFileError } from './fileErrors.ts';

/** Creates an output directory (and its parents), or fails with one line saying why. */
export async function createOutDir(dir: string): Promise<void> {
  try {
    await makeDirectory(dir);
  } catch (error) {
    throw new UserError(`cannot create output directory ${dir}: ${describeFileError(error)}`);
  }
}
