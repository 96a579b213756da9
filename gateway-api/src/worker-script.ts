import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The compiled worker script `file` of the module in `dir` (its `__dirname`, folder `folder` of src/):
 * next to it when running from dist/, else the built copy in dist/ (ts-jest runs the sources).
 * Undefined when neither exists (not built).
 */
export function builtScript(dir: string, folder: string, file: string): string | undefined {
  return [join(dir, file), join(dir, '..', '..', 'dist', folder, file)].find((f) => existsSync(f));
}
