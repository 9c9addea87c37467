import { readdir, readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';

/** A file's text, or null when it does not exist; any other read error names the file (exit 2). */
export async function readTextIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new InputError(`cannot read: ${(error as Error).message}`, file, undefined, 'input.unreadable', { cause: error });
  }
}

/** A folder's entry names, or [] when it does not exist; any other error names the folder (exit 2), never "no files". */
export async function readdirIfExists(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new InputError(`cannot list folder: ${(error as Error).message}`, dir, undefined, 'input.unreadable', { cause: error });
  }
}
