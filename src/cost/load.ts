import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { CATALOGUE } from './catalogue.ts';
import { applyOverlay, PricesFileError, parsePricesJson } from './override.ts';
import type { Catalogue } from './schema.ts';

/**
 * The catalogue the bot runs with: the built-in one, or PRICES_FILE merged over it. This is the one
 * file in src/cost/ that touches the disk, and only through `readFile`, so tests pass the text in.
 * Read once at start; a bad file stops the start with one line naming the file and the JSON path.
 */

export type ReadFile = (path: string, encoding: 'utf8') => string;

const readUtf8: ReadFile = (path, encoding) => readFileSync(path, encoding);

export function loadCatalogue(pricesFile?: string, readFile: ReadFile = readUtf8): Catalogue {
  return loadPrices(pricesFile, readFile).catalogue;
}

export interface LoadedPrices {
  /** The built-in catalogue with the file over it. */
  catalogue: Catalogue;
  /** The file's own object, kept so it can be laid over the Retail Prices feed again (live.ts). */
  overlay?: Record<string, unknown>;
  file?: string;
}

/** As loadCatalogue, keeping the PRICES_FILE's object apart: the file wins over the feed too. */
export function loadPrices(pricesFile?: string, readFile: ReadFile = readUtf8): LoadedPrices {
  if (pricesFile === undefined || pricesFile === '') return { catalogue: CATALOGUE };
  let text: string;
  try {
    text = readFile(pricesFile, 'utf8');
  } catch (error) {
    throw new PricesFileError(pricesFile, [`cannot be read (${readFailure(error, pricesFile)})`]);
  }
  const overlay = parsePricesJson(text, pricesFile);
  return { catalogue: applyOverlay(CATALOGUE, overlay, pricesFile), overlay, file: pricesFile };
}

export { PricesFileError };

/** The reason a file could not be read, in words: the code for the usual ones, Node's message otherwise. */
function readFailure(error: unknown, path: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  // A relative path is read from where the bot was started, which is often not where one thinks.
  if (code === 'ENOENT') return isAbsolute(path) ? 'no such file' : `no such file in ${process.cwd()}`;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a folder';
  return error instanceof Error ? error.message : String(error);
}
