import { REFUSAL_CODES } from '@libs/domain/refusals';
import { API_ONLY_CODES, DomainError, ERROR_STATUS } from './domain-error';

describe('ERROR_STATUS', () => {
  it('should give every refusal code of the domain and the workflows an HTTP status', () => {
    for (const code of REFUSAL_CODES) {
      expect([code, ERROR_STATUS[code]]).toEqual([code, expect.any(Number)]);
      expect(ERROR_STATUS[code]).toBeGreaterThanOrEqual(400);
      expect(ERROR_STATUS[code]).toBeLessThan(500);
    }
  });

  it('should give every code only the API answers with an HTTP status', () => {
    for (const code of API_ONLY_CODES) {
      expect(ERROR_STATUS[code]).toBeGreaterThanOrEqual(400);
      expect(ERROR_STATUS[code]).toBeLessThan(600);
    }
  });

  it('should map exactly the codes of the two vocabularies, each once', () => {
    const codes = [...REFUSAL_CODES, ...API_ONLY_CODES];
    expect(new Set(codes).size).toBe(codes.length);
    expect(Object.keys(ERROR_STATUS).sort()).toEqual([...codes].sort());
  });
});

describe('DomainError.refused', () => {
  it('should answer a refusal with its code, its message unchanged and its status', () => {
    const error = DomainError.refused({ code: 'NOT_REQUESTER', message: 'only the requester may amend a request' });
    expect(error).toMatchObject({ code: 'NOT_REQUESTER', message: 'only the requester may amend a request' });
    expect(error.status).toBe(403);
  });
});
