/** What each file-system error code means to a user, in words. */
const REASONS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is not a directory',
  EEXIST: 'already exists',
  EISDIR: 'is a directory',
  ENOENT: 'no such file or directory',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  ENAMETOOLONG: 'name too long',
  EIO: 'input/output error',
  ELOOP: 'too many symbolic links',
};

/** The error codes that are a fact of the user's disk or paths, not a bug: reported in one line. */
export function isFileSystemError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code in REASONS;
}

/** A file-system error in words (`no space left on the device`), or its message when the code is unknown. */
export function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && code in REASONS) return REASONS[code];
  return error instanceof Error ? error.message : String(error);
}

/** A file-system error as the library reports it: a message, its code, and the path(s) it is about. */
export function fileSystemError(message: string, code: string | undefined, path?: string, dest?: string): NodeJS.ErrnoException & { dest?: string } {
  const error = new Error(message) as NodeJS.ErrnoException & { dest?: string };
  if (code !== undefined) error.code = code;
  if (path !== undefined) error.path = path;
  if (dest !== undefined) error.dest = dest;
  return error;
}
