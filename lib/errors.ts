/**
 * A mistake in the user's input or options (a malformed file, a bad flag). The CLI prints its message
 * as one line and exits 1 without a stack trace; any other error is a bug and keeps its stack.
 */
export class UserError extends Error {
  override name = 'UserError';
  /** The CLI's exit code for this error. */
  readonly exitCode: number = 1;
}

/** The user stopped the job (Ctrl-C): exit code 130, as shells report a SIGINT. */
export class InterruptedError extends UserError {
  override name = 'InterruptedError';
  override readonly exitCode = 130;
}

/** A problem at a place in an input file: `file:line: column name: message`. */
export class InputFileError extends UserError {
  override name = 'InputFileError';

  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: string | undefined,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${column === undefined ? '' : `column ${column}: `}${reason}`);
  }
}
