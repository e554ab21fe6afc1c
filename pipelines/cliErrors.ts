import { CommanderError } from 'commander';
import { UserError } from '../lib/index.ts';

/**
 * Runs a CLI action and turns failures into exit codes: a user's mistake prints one line on stderr
 * (`digits: <message>`) and exits 1; anything else is a bug and keeps its stack trace.
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
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EACCES' || code === 'EROFS' || code === 'EDQUOT') {
      process.stderr.write(`digits: ${(error as Error).message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}
