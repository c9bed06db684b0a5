import * as fs from 'node:fs';
import * as path from 'node:path';

/** The checkout's root, found the same way from sources (ts-jest) and from dist/. */
export const PROJECT_ROOT: string = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
})();
