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

/** Issuing country and number as one passport is known: upper case, letters and digits only. */
function normalisedPassport(issuingCountry: string, passportNumber: string): string {
  const clean = (value: string) => value.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return `${clean(issuingCountry)}:${clean(passportNumber)}`;
}

/**
 * The keyed fingerprint of one passport (issuing country + number) under the key `keyId`: an
 * HMAC, so the ledger finds a passport's active record by index without opening any number, and
 * a stolen table does not give numbers away by hashing guesses. Stored beside the ciphertext and
 * under the same key (re-computed when key rotation re-seals the number).
 */
export function passportFingerprint(
  keyring: Keyring,
  keyId: string,
  issuingCountry: string,
  passportNumber: string,
): string {
  return keyring.mac(keyId, 'passport-fingerprint', normalisedPassport(issuingCountry, passportNumber));
}

/** The passport's fingerprint under every configured key: what a deposit looks for among active records. */
export function passportFingerprints(keyring: Keyring, issuingCountry: string, passportNumber: string): string[] {
  return keyring.keyIds.map((keyId) => passportFingerprint(keyring, keyId, issuingCountry, passportNumber));
}
