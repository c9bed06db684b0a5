import { changedFields, describeChange } from './amendment';
import { determine } from './authorizations';
import { manifestInWords, parseManifest, type TripManifest } from './manifest';
import { DEFAULT_POLICY, planRoute } from './policy';
import type { RequestInput } from './request';
import { minimalRequest } from '../../tests/support/domain-factories';

const UNPUBLISHED: TripManifest = {
  devices: [{ kind: 'company_laptop', assetTag: 'LT-1234' }],
  materials: [{ title: 'Scaling laws', published: false }],
};

/** A standard employee presenting at a conference with no data leaving. */
function presenting(overrides: Partial<RequestInput> = {}): RequestInput {
  return minimalRequest('conference', {
    details: { eventName: 'NeurIPS', presenting: true } as never,
    ...overrides,
  });
}

const partiesOf = (request: RequestInput) =>
  planRoute({ request, tier: 'standard' }, DEFAULT_POLICY).stages.flatMap((s) => s.parties);

describe('trip manifest: parseManifest', () => {
  it('should accept an absent or empty manifest as none, and trim what it keeps', () => {
    expect(parseManifest(undefined)).toEqual({ manifest: null, errors: [] });
    expect(parseManifest({ devices: [], materials: [] })).toEqual({ manifest: null, errors: [] });
    expect(
      parseManifest({
        devices: [{ kind: 'company_laptop', assetTag: ' LT-1234 ' }, { kind: 'loaner_phone' }],
        materials: [{ title: ' Scaling laws ', published: false }],
      }),
    ).toEqual({
      manifest: {
        devices: [{ kind: 'company_laptop', assetTag: 'LT-1234' }, { kind: 'loaner_phone' }],
        materials: [{ title: 'Scaling laws', published: false }],
      },
      errors: [],
    });
  });

  it('should name each bad field', () => {
    const fields = (raw: unknown) => parseManifest(raw).errors.map((e) => e.field);
    expect(fields('x')).toEqual(['manifest']);
    expect(fields({ devices: [{ kind: 'company_laptop' }] })).toEqual(['manifest.devices.0.assetTag']);
    expect(fields({ devices: [{ kind: 'company_phone', assetTag: '  ' }] })).toEqual(['manifest.devices.0.assetTag']);
    expect(fields({ devices: [{ kind: 'loaner_laptop' }, { kind: 'tablet' }] })).toEqual(['manifest.devices.1.kind']);
    expect(fields({ devices: [{ kind: 'loaner_laptop', assetTag: 'x'.repeat(65) }] })).toEqual([
      'manifest.devices.0.assetTag',
    ]);
    expect(fields({ materials: [{ title: '', published: true }] })).toEqual(['manifest.materials.0.title']);
    expect(fields({ materials: [{ title: 't'.repeat(201), published: true }] })).toEqual([
      'manifest.materials.0.title',
    ]);
    expect(fields({ materials: [{ title: 'Slides' }] })).toEqual(['manifest.materials.0.published']);
    expect(fields({ materials: [{ title: 'Slides', published: 'no' }] })).toEqual(['manifest.materials.0.published']);
    expect(fields({ devices: Array.from({ length: 21 }, () => ({ kind: 'personal_device' })) })).toEqual([
      'manifest.devices',
    ]);
    expect(fields({ devices: {} })).toEqual(['manifest.devices']);
    expect(fields({ devices: [], extra: 1 })).toEqual(['manifest.extra']);
    expect(fields({ devices: [{ kind: 'personal_device', colour: 'red' }] })).toEqual(['manifest.devices.0.colour']);
    expect(parseManifest({ devices: [{ kind: 'company_laptop' }] }).errors[0].messages[0]).toContain('required');
  });

  it('should word devices and materials', () => {
    expect(manifestInWords(UNPUBLISHED)).toEqual({
      devices: ['Company laptop (asset LT-1234)'],
      materials: ["Material: 'Scaling laws' — unpublished"],
    });
    expect(manifestInWords(undefined)).toEqual({ devices: [], materials: [] });
  });
});

describe('trip manifest: the default policy', () => {
  it('should add data_governance for unpublished material, with the title as the reason', () => {
    const request = minimalRequest('conference', { manifest: UNPUBLISHED });
    const dg = partiesOf(request).find((p) => p.party === 'data_governance');
    expect(dg?.reasons).toEqual(['unpublished material to be shown: Scaling laws']);
  });

  it('should not add data_governance for published material or devices only', () => {
    const published = minimalRequest('conference', {
      manifest: {
        devices: [{ kind: 'company_laptop', assetTag: 'LT-1' }],
        materials: [{ title: 'A', published: true }],
      },
    });
    expect(partiesOf(published).map((p) => p.party)).toEqual(['hr']);
    expect(partiesOf(minimalRequest('conference')).map((p) => p.party)).toEqual(['hr']);
  });

  it('should add the reason to a party already asked (ma_participation, stage 2)', () => {
    const request = minimalRequest('ma_participation', { manifest: UNPUBLISHED });
    const plan = planRoute({ request, tier: 'standard' }, DEFAULT_POLICY);
    const stage = plan.stages.find((s) => s.parties.some((p) => p.party === 'data_governance'));
    expect(stage?.index).toBe(2);
    expect(stage?.parties.find((p) => p.party === 'data_governance')?.reasons).toContain(
      'unpublished material to be shown: Scaling laws',
    );
  });

  it('should drop "published material only" when unpublished material is declared', () => {
    const rules = (request: RequestInput) =>
      determine({ request, tier: 'standard' }, DEFAULT_POLICY).determinations.map((d) => d.rule);
    expect(rules(presenting())).toContain('published_material_only');
    expect(
      rules(presenting({ manifest: { devices: [], materials: [{ title: 'Public talk', published: true }] } })),
    ).toContain('published_material_only');
    expect(rules(presenting({ manifest: UNPUBLISHED }))).not.toContain('published_material_only');
  });
});

describe('trip manifest: amendments', () => {
  it('should list a changed manifest, and nothing when none was and none is declared', () => {
    const before = minimalRequest('conference');
    expect(changedFields(before, { ...before, manifest: { devices: [], materials: [] } })).toEqual([]);
    const [change] = changedFields(before, { ...before, manifest: UNPUBLISHED });
    expect(change).toMatchObject({ field: 'manifest', before: null, after: UNPUBLISHED });
    expect(describeChange(change)).toBe(
      "manifest (none) → Company laptop (asset LT-1234); Material: 'Scaling laws' — unpublished",
    );
  });
});
