/**
 * The trip manifest (issue 16): what travels with the person. Devices taken (a company device by its
 * asset tag) and materials to be shown or carried, each marked published or not. Data categories stay
 * on the request as before. Optional: a request without one has no manifest.
 *
 * Asset tags and material titles do not identify a person, so the projection stores them plain
 * (the workflow input is encrypted by the payload codec like the rest of the request).
 */

export const DEVICE_KINDS = [
  'company_laptop',
  'company_phone',
  'loaner_laptop',
  'loaner_phone',
  'personal_device',
] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/** Company devices are named by their asset tag. */
export const COMPANY_DEVICE_KINDS: readonly DeviceKind[] = ['company_laptop', 'company_phone'];

export interface ManifestDevice {
  kind: DeviceKind;
  assetTag?: string;
}

export interface ManifestMaterial {
  title: string;
  published: boolean;
}

export interface TripManifest {
  devices: ManifestDevice[];
  materials: ManifestMaterial[];
}

export const MANIFEST_MAX_ITEMS = 20;
export const ASSET_TAG_MAX = 64;
export const MATERIAL_TITLE_MAX = 200;

export interface ManifestFieldError {
  field: string;
  messages: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Reads `manifest` from a request body: the manifest (null when absent or empty) and the errors,
 * each naming its field (`manifest.devices.0.assetTag`).
 */
export function parseManifest(raw: unknown): { manifest: TripManifest | null; errors: ManifestFieldError[] } {
  const errors: ManifestFieldError[] = [];
  const fail = (field: string, message: string) => errors.push({ field, messages: [message] });
  if (raw === undefined || raw === null) return { manifest: null, errors };
  if (!isObject(raw)) {
    fail('manifest', 'manifest must be an object with devices and materials');
    return { manifest: null, errors };
  }
  for (const key of Object.keys(raw)) {
    if (key !== 'devices' && key !== 'materials') fail(`manifest.${key}`, `property ${key} should not exist`);
  }
  const list = (name: 'devices' | 'materials'): unknown[] => {
    const value = raw[name];
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      fail(`manifest.${name}`, `manifest.${name} must be an array`);
      return [];
    }
    if (value.length > MANIFEST_MAX_ITEMS) {
      fail(`manifest.${name}`, `manifest.${name} must contain at most ${MANIFEST_MAX_ITEMS} items`);
      return [];
    }
    return value;
  };

  const devices: ManifestDevice[] = [];
  list('devices').forEach((item, i) => {
    const at = `manifest.devices.${i}`;
    if (!isObject(item)) return fail(at, `${at} must be an object`);
    for (const key of Object.keys(item)) {
      if (key !== 'kind' && key !== 'assetTag') fail(`${at}.${key}`, `property ${key} should not exist`);
    }
    const kind = item.kind;
    if (typeof kind !== 'string' || !(DEVICE_KINDS as readonly string[]).includes(kind)) {
      return fail(`${at}.kind`, `${at}.kind must be one of: ${DEVICE_KINDS.join(', ')}`);
    }
    const tag = item.assetTag;
    if (tag !== undefined && tag !== null && typeof tag !== 'string') {
      return fail(`${at}.assetTag`, `${at}.assetTag must be a string`);
    }
    const trimmed = typeof tag === 'string' ? tag.trim() : '';
    if (trimmed.length > ASSET_TAG_MAX) {
      return fail(`${at}.assetTag`, `${at}.assetTag must be at most ${ASSET_TAG_MAX} characters`);
    }
    if (trimmed === '' && COMPANY_DEVICE_KINDS.includes(kind as DeviceKind)) {
      return fail(`${at}.assetTag`, `${at}.assetTag is required for a company device`);
    }
    devices.push({ kind: kind as DeviceKind, ...(trimmed ? { assetTag: trimmed } : {}) });
  });

  const materials: ManifestMaterial[] = [];
  list('materials').forEach((item, i) => {
    const at = `manifest.materials.${i}`;
    if (!isObject(item)) return fail(at, `${at} must be an object`);
    for (const key of Object.keys(item)) {
      if (key !== 'title' && key !== 'published') fail(`${at}.${key}`, `property ${key} should not exist`);
    }
    const title = typeof item.title === 'string' ? item.title.trim() : '';
    if (title === '') return fail(`${at}.title`, `${at}.title is required`);
    if (title.length > MATERIAL_TITLE_MAX) {
      return fail(`${at}.title`, `${at}.title must be at most ${MATERIAL_TITLE_MAX} characters`);
    }
    if (typeof item.published !== 'boolean') {
      return fail(`${at}.published`, `${at}.published must be true or false`);
    }
    materials.push({ title, published: item.published });
  });

  if (errors.length > 0) return { manifest: null, errors };
  return { manifest: devices.length + materials.length > 0 ? { devices, materials } : null, errors };
}

/** The manifest as compared and stored: null when absent or empty. */
export function manifestOrNull(manifest: TripManifest | null | undefined): TripManifest | null {
  if (!manifest) return null;
  return manifest.devices.length + manifest.materials.length > 0 ? manifest : null;
}

/** Titles of the materials marked unpublished. */
export function unpublishedTitles(manifest: TripManifest | null | undefined): string[] {
  return (manifest?.materials ?? []).filter((m) => !m.published).map((m) => m.title);
}

const DEVICE_WORDS: Record<DeviceKind, string> = {
  company_laptop: 'Company laptop',
  company_phone: 'Company phone',
  loaner_laptop: 'Loaner laptop',
  loaner_phone: 'Loaner phone',
  personal_device: 'Personal device',
};

/** "Company laptop (asset LT-1234)". */
export function deviceInWords(device: ManifestDevice): string {
  const words = DEVICE_WORDS[device.kind] ?? device.kind;
  return device.assetTag ? `${words} (asset ${device.assetTag})` : words;
}

/** "'Scaling laws' — unpublished". */
export function materialTitleInWords(material: ManifestMaterial): string {
  return `'${material.title}' — ${material.published ? 'published' : 'unpublished'}`;
}

/** "Material: 'Scaling laws' — unpublished". */
export function materialInWords(material: ManifestMaterial): string {
  return `Material: ${materialTitleInWords(material)}`;
}

/** The manifest in words, one line per device and material (empty when there is none). */
export function manifestInWords(manifest: TripManifest | null | undefined): { devices: string[]; materials: string[] } {
  return {
    devices: (manifest?.devices ?? []).map(deviceInWords),
    materials: (manifest?.materials ?? []).map(materialInWords),
  };
}

/** The company devices declared, in words: "company laptop LT-1234". */
export function companyDevicesInWords(manifest: TripManifest | null | undefined): string[] {
  return (manifest?.devices ?? [])
    .filter((d) => COMPANY_DEVICE_KINDS.includes(d.kind))
    .map((d) => `${DEVICE_WORDS[d.kind].toLowerCase()}${d.assetTag ? ` ${d.assetTag}` : ''}`);
}
