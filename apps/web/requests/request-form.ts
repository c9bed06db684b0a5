import {
  COUNTERPARTY_ROLES,
  DATA_CATEGORIES,
  DEAL_INVOLVEMENTS,
  REQUEST_TYPES,
  TECHNOLOGY_AREAS,
  type RequestType,
} from '@libs/domain/vocabulary';
import { DEVICE_KINDS } from '@libs/domain/manifest';
import { returnDateRequired } from '@libs/domain/request';
import { typeName } from '@libs/mail';
import type { ApiErrorBody } from '../page-errors';
import { wordedErrors, wordsByField } from '../field-words';
import { list, one, rows } from '../form-values';
import { COUNTRIES, countryCodeFrom, countryInput } from '../countries';

/** A posted form as the body parser hands it over; JSON bodies reach the same routes, so anything may arrive. */
type Form = Record<string, unknown>;

interface DetailField {
  name: string;
  label: string;
  input: 'text' | 'number' | 'date' | 'checkbox' | 'select';
  options?: readonly string[];
  hint?: string;
  required?: boolean;
}

/** The fields of `details` per request type, as the contract names them. */
export const DETAIL_FIELDS: Record<RequestType, DetailField[]> = {
  conference: [
    { name: 'eventName', label: 'Event name', input: 'text', required: true },
    { name: 'presenting', label: 'I am presenting', input: 'checkbox' },
  ],
  overseas_assignment: [
    { name: 'hostEntity', label: 'Host entity', input: 'text', required: true },
    { name: 'role', label: 'Role there', input: 'text', required: true },
    { name: 'months', label: 'Months', input: 'number', required: true },
  ],
  ma_participation: [
    { name: 'dealName', label: 'Deal name', input: 'text', required: true },
    {
      name: 'counterpartyRole',
      label: 'Counterparty role',
      input: 'select',
      options: COUNTERPARTY_ROLES,
      required: true,
    },
    { name: 'involvement', label: 'Your involvement', input: 'select', options: DEAL_INVOLVEMENTS, required: true },
  ],
  passport_release: [
    { name: 'reason', label: 'Reason', input: 'text', required: true },
    {
      name: 'travelRequestId',
      label: 'The approved trip this passport is for (if any)',
      input: 'select',
      hint: 'Your approved trips are listed; choose none if the passport is needed for something else.',
    },
  ],
  departure_abroad: [
    { name: 'newEmployer', label: 'New employer', input: 'text', required: true },
    { name: 'lastWorkingDay', label: 'Last working day', input: 'date', required: true },
  ],
};

export const TYPE_CHOICES = REQUEST_TYPES.map((type) => ({ type, name: typeName(type) }));

export function isRequestType(value: unknown): value is RequestType {
  return typeof value === 'string' && (REQUEST_TYPES as readonly string[]).includes(value);
}

/** The JSON body the API takes, from the form's fields; the API does all the validation. */
export function bodyFromForm(type: RequestType, form: Form): Record<string, unknown> {
  const countries = rows(form.counterpartyCountry);
  const counterparties = rows(form.counterpartyName)
    .map((name, i) => ({ name: name.trim(), country: countryCodeFrom(countries[i] ?? '') }))
    .filter((c) => c.name !== '' || c.country !== '');
  const details: Record<string, unknown> = {};
  for (const field of DETAIL_FIELDS[type]) {
    const raw = one(form[`details.${field.name}`]).trim();
    if (field.input === 'checkbox') details[field.name] = raw === 'on' || raw === 'true';
    else if (field.input === 'number') details[field.name] = raw === '' ? undefined : Number(raw);
    else if (raw !== '' || field.required) details[field.name] = raw;
  }
  const tags = rows(form.deviceAssetTag);
  const devices = rows(form.deviceKind)
    .map((kind, i) => ({ kind: kind.trim(), assetTag: (tags[i] ?? '').trim() }))
    .filter((d) => d.kind !== '' || d.assetTag !== '')
    .map((d) => (d.assetTag === '' ? { kind: d.kind } : d));
  const published = rows(form.materialPublished);
  const materials = rows(form.materialTitle)
    .map((title, i) => ({ title: title.trim(), published: (published[i] ?? '') === 'yes' }))
    .filter((m) => m.title !== '');
  return {
    type,
    destinationCountry: countryCodeFrom(one(form.destinationCountry)),
    departureDate: one(form.departureDate),
    // A departure abroad left without a return is a permanent move: the API takes it without the field.
    ...(one(form.returnDate) !== '' || returnDateRequired(type) ? { returnDate: one(form.returnDate) } : {}),
    purpose: one(form.purpose).trim(),
    counterparties,
    technologyAreas: list(form.technologyAreas),
    dataCategories: list(form.dataCategories),
    details,
    // The trip manifest only when the person declared something (the API takes a body without it as before).
    ...(devices.length + materials.length > 0 ? { manifest: { devices, materials } } : {}),
  };
}

/** Rows the form shows for the manifest: what was declared, then empty rows up to this many. */
const MANIFEST_ROWS = 3;

/** What the form shows: the values to fill in, the choices, and each field's errors from the API. */
export function formModel(
  type: RequestType,
  body: Record<string, unknown>,
  error?: ApiErrorBody,
  /** The person's approved trips, which a passport release's `travelRequestId` chooses from. */
  choices: { trips: Array<{ value: string; name: string }> } = { trips: [] },
) {
  const byField = wordsByField(error);
  const fieldError = (field: string) => byField[field] ?? null;
  const details = (body.details ?? {}) as Record<string, unknown>;
  const counterparties = ((body.counterparties as { name: string; country: string }[] | undefined) ?? []).slice();
  while (counterparties.length < 3) counterparties.push({ name: '', country: '' });
  const manifest = (body.manifest ?? {}) as {
    devices?: { kind?: string; assetTag?: string }[];
    materials?: { title?: string; published?: boolean }[];
  };
  const devices = (Array.isArray(manifest.devices) ? manifest.devices : []).slice();
  while (devices.length < MANIFEST_ROWS) devices.push({});
  const materials = (Array.isArray(manifest.materials) ? manifest.materials : []).slice();
  while (materials.length < MANIFEST_ROWS) materials.push({});
  const chosen = (key: string) => (Array.isArray(body[key]) ? (body[key] as string[]) : []);
  return {
    type,
    typeName: typeName(type),
    returnOptional: !returnDateRequired(type),
    values: body,
    errors: wordedErrors(error),
    problem: error && !error.errors?.length ? error.message : null,
    fieldError: Object.fromEntries(
      [
        'destinationCountry',
        'departureDate',
        'returnDate',
        'purpose',
        'counterparties',
        'technologyAreas',
        'dataCategories',
        'details',
        'type',
        'reply',
      ].map((f) => [f, fieldError(f)]),
    ),
    countries: COUNTRIES,
    destinationCountryName: countryInput(body.destinationCountry),
    counterparties: counterparties.map((c, i) => ({
      ...c,
      countryName: countryInput(c.country),
      index: i,
      number: i + 1,
      nameError: fieldError(`counterparties.${i}.name`),
      countryError: fieldError(`counterparties.${i}.country`),
    })),
    manifestError: fieldError('manifest') ?? fieldError('manifest.devices') ?? fieldError('manifest.materials'),
    devices: devices.map((d, i) => ({
      index: i,
      number: i + 1,
      assetTag: d.assetTag ?? '',
      kinds: DEVICE_KINDS.map((value) => ({ value, selected: d.kind === value })),
      kindError: fieldError(`manifest.devices.${i}.kind`),
      assetTagError: fieldError(`manifest.devices.${i}.assetTag`),
    })),
    materials: materials.map((m, i) => ({
      index: i,
      number: i + 1,
      title: m.title ?? '',
      unpublished: m.published === false,
      titleError: fieldError(`manifest.materials.${i}.title`),
      publishedError: fieldError(`manifest.materials.${i}.published`),
    })),
    technologyAreas: TECHNOLOGY_AREAS.map((value) => ({ value, checked: chosen('technologyAreas').includes(value) })),
    dataCategories: DATA_CATEGORIES.map((value) => ({ value, checked: chosen('dataCategories').includes(value) })),
    detailFields: DETAIL_FIELDS[type].map((field) => ({
      ...field,
      id: `f-details.${field.name}`,
      formName: `details.${field.name}`,
      value: details[field.name] ?? '',
      checked: details[field.name] === true,
      isCheckbox: field.input === 'checkbox',
      isSelect: field.input === 'select',
      options:
        field.name === 'travelRequestId'
          ? choices.trips.map((t) => ({ ...t, selected: details[field.name] === t.value }))
          : (field.options ?? []).map((value) => ({ value, name: null, selected: details[field.name] === value })),
      error: fieldError(`details.${field.name}`),
    })),
  };
}
