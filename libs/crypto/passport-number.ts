import type { Keyring } from './keyring';

/** The sealed columns of a passports row (PassportEntity: `number_ciphertext`, `number_key_id`). */
export interface SealedPassportNumber {
  numberCiphertext: string;
  numberKeyId: string;
}

/**
 * The additional authenticated data of a passport number: the row's id under a purpose prefix.
 * It binds each ciphertext to its row, so a ciphertext copied into another passport (or into any
 * other sealed column) does not open there. Consequence: the id must be chosen before sealing and
 * never change.
 */
export function passportNumberAad(passportId: string): string {
  return `clearance:passport-number:${passportId}`;
}

/** Seals a passport number for the row `passportId` with the keyring's active key. */
export function sealPassportNumber(keyring: Keyring, passportId: string, passportNumber: string): SealedPassportNumber {
  const { keyId, ciphertext } = keyring.seal(passportNumber, passportNumberAad(passportId));
  return { numberCiphertext: ciphertext, numberKeyId: keyId };
}

/** Opens a row's passport number (any configured key); throws KeyringError when it cannot. */
export function openPassportNumber(keyring: Keyring, row: { id: string } & SealedPassportNumber): string {
  return keyring.open(row.numberKeyId, row.numberCiphertext, passportNumberAad(row.id)).toString('utf8');
}
