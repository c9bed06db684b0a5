/**
 * Canonical JSON for hashing: object keys sorted by code unit (as RFC 8785 does), no whitespace,
 * `undefined` members left out, `toJSON` honoured (Dates become ISO strings). Numbers must be
 * finite: a NaN or Infinity would silently become `null` in plain JSON and break the proof.
 */
export function canonicalJson(value: unknown): string {
  return write(value, new Set());
}

function write(value: unknown, seen: Set<object>): string {
  if (value === null) return 'null';
  if (typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return write((value as { toJSON(): unknown }).toJSON(), seen);
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot hold the number ${value}`);
      return JSON.stringify(value);
    case 'object': {
      if (seen.has(value)) throw new TypeError('canonical JSON cannot hold a circular structure');
      seen.add(value);
      try {
        if (Array.isArray(value)) {
          return `[${value.map((item: unknown) => (item === undefined || typeof item === 'function' ? 'null' : write(item, seen))).join(',')}]`;
        }
        const record = value as Record<string, unknown>;
        const members = Object.keys(record)
          .filter((key) => record[key] !== undefined && typeof record[key] !== 'function')
          .sort()
          .map((key) => `${JSON.stringify(key)}:${write(record[key], seen)}`);
        return `{${members.join(',')}}`;
      } finally {
        seen.delete(value);
      }
    }
    case 'bigint':
    case 'undefined':
    case 'function':
    case 'symbol':
      break;
  }
  throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
}
