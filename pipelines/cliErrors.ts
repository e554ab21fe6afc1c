import { CommanderError } from 'commander';
import { UserError } from '../lib/errors.ts';
import { describeFileError, isFileSystemError } from '../lib/io/fileErrors.ts';

/** The file an fs error is about: the destination of a rename, else its path. */
function pathOf(error: NodeJS.ErrnoException & { dest?: string }): string | undefined {
  return error.dest ?? error.path;
}

/**
 * Runs a CLI action and turns failures into exit codes: a user's mistake, or a fact of the disk
 * (full, read-only, a path that is not a directory), prints one line on stderr (`digits: <message>`)
 * and exits 1; anything else is a bug and keeps its stack trace.
 */
export async function runCommand(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (error instanceof UserError) {
      process.stderr.write(`digits: ${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    if (error instanceof CommanderError) throw error;
    if (isFileSystemError(error)) {
      const path = pathOf(error);
      process.stderr.write(`digits: ${path ? `${path}: ` : ''}${describeFileError(error)}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}
