import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import type { DataSource } from 'typeorm';
import { loadConfig } from '@libs/config';
import { generateKeyEntry, Keyring } from '@libs/crypto';
import { openDataSource, passportKeyUsage, rotatePassportKeys } from '@libs/persistence';

/**
 * `npm run keys -- <command>`: operator tasks for the encryption keys (ENCRYPTION_KEYS).
 *   generate [keyId]  print a new random key as keyId:base64, to append to ENCRYPTION_KEYS
 *   status            how many passport numbers each key seals
 *   rotate            re-seal every passport number under ENCRYPTION_ACTIVE_KEY_ID
 */
const out = (line: string) => process.stdout.write(`${line}\n`);

const USAGE = `usage: npm run keys -- generate [keyId] | status | rotate
  generate [keyId]  print a new random 32-byte key as keyId:base64 (append it to ENCRYPTION_KEYS)
  status            count passport numbers per key id
  rotate            re-encrypt every passport number not under the active key`;

/** Who ran the command, for the audit log: the operating-system login (the CLI has no signed-in person). */
function operator(): string | null {
  try {
    return `os:${userInfo().username}`;
  } catch {
    return null;
  }
}

async function withKeyring<T>(task: (keyring: Keyring, dataSource: DataSource) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const keyring = new Keyring(config.encryption);
  if (config.encryption.devKey) out('note: ENCRYPTION_KEYS is unset, using the public dev key "dev-1"');
  const dataSource = await openDataSource(config.database, { migrate: true, auditChain: config.auditChain });
  try {
    return await task(keyring, dataSource);
  } finally {
    await dataSource.destroy();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, arg] = argv;
  switch (command) {
    case 'generate': {
      const day = new Date().toISOString().slice(0, 10).replace(/-/g, '');
      out(generateKeyEntry(arg ?? `k-${day}-${randomBytes(2).toString('hex')}`));
      return 0;
    }
    case 'status':
      return withKeyring(async (keyring, dataSource) => {
        out(`active key: ${keyring.activeKeyId}; configured: ${keyring.keyIds.join(', ')}`);
        const usage = await passportKeyUsage(dataSource);
        if (Object.keys(usage).length === 0) out('no passports stored');
        for (const [keyId, count] of Object.entries(usage)) {
          out(`${keyId}: ${count} passport number(s)${keyring.has(keyId) ? '' : ' (KEY NOT CONFIGURED)'}`);
        }
        return 0;
      });
    case 'rotate':
      return withKeyring(async (keyring, dataSource) => {
        const report = await rotatePassportKeys(dataSource, keyring, { actor: operator() });
        out(
          `active key ${report.activeKeyId}: ${report.examined} passport number(s) under other keys, ` +
            `${report.rotated} re-encrypted, ${report.changedMeanwhile} changed meanwhile, ${report.failed.length} failed`,
        );
        for (const failure of report.failed) out(`  failed ${failure.id} (key ${failure.keyId}): ${failure.reason}`);
        return report.failed.length > 0 || report.changedMeanwhile > 0 ? 1 : 0;
      });
    default:
      out(USAGE);
      return command === undefined || command === 'help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
