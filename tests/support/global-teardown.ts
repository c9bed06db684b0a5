import * as fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  await globalThis.__clearanceDevServer?.stop();
  const dir = process.env.TEST_TMP_DIR;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
