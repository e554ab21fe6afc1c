import { stat } from 'node:fs/promises';
import { makeDirectory } from './atomic.ts';
import { UserError } from '../errors.ts';
import { describeFileError } from './fileErrors.ts';

/**
 * Creates an output directory (and its parents), or fails with one line saying why: a file in its
 * place, a path it cannot be made under, a read-only disk.
 */
export async function createOutDir(dir: string): Promise<void> {
  const info = await stat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new UserError(`output directory ${dir}: ${describeFileError(error)}`);
  });
  if (info?.isDirectory()) return;
  if (info) throw new UserError(`output directory ${dir} exists and is not a directory`);
  try {
    await makeDirectory(dir);
  } catch (error) {
    throw new UserError(`cannot create output directory ${dir}: ${describeFileError(error)}`);
  }
}
