/**
 * A mistake in the user's input or options (a malformed file, a bad flag). The CLI prints its message
 * as one line and exits 1 without a stack trace; any other error is a bug and keeps its stack.
 */
export class UserError extends Error {
  override name = 'UserError';
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
