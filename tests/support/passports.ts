import { sealPassportNumber, type Keyring } from '@libs/crypto';
import { PassportEntity } from '@libs/persistence';

/** A passport row in custody as a deposit stores it, its number sealed under `keyring`; override any column. */
export function passportInCustody(
  keyring: Keyring,
  id: string,
  number: string,
  overrides: Partial<PassportEntity> = {},
): PassportEntity {
  const now = new Date().toISOString();
  return Object.assign(new PassportEntity(), {
    id,
    employeeEmail: 'alice@example.com',
    ...sealPassportNumber(keyring, id, number),
    numberLast3: number.slice(-3),
    issuingCountry: 'DE',
    expiryDate: '2031-01-31',
    status: 'in_custody',
    releaseRequestId: null,
    releasedAt: null,
    dueBackAt: null,
    returnedAt: null,
    depositedBy: 'custodian@example.com',
    createdAt: now,
    updatedAt: now,
    ...overrides,
  });
}
