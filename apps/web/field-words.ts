import type { ApiErrorBody } from './page-errors';

/**
 * The API's field errors in people's words, for the pages. The API's 400 body keeps naming the
 * field (`details.eventName`) as the contract has it; a page shows the field's label and a plain
 * sentence next to it ("Event name: enter the event's name").
 */
const LABELS: Record<string, string> = {
  type: 'Request type',
  destinationCountry: 'Destination country',
  departureDate: 'Departure',
  returnDate: 'Return',
  purpose: 'Purpose',
  counterparties: 'Counterparties',
  technologyAreas: 'Technology areas',
  dataCategories: 'Data that crosses the border',
  details: 'Details',
  'details.eventName': 'Event name',
  'details.presenting': 'I am presenting',
  'details.hostEntity': 'Host entity',
  'details.role': 'Role there',
  'details.months': 'Months',
  'details.dealName': 'Deal name',
  'details.counterpartyRole': 'Counterparty role',
  'details.involvement': 'Your involvement',
  'details.reason': 'Reason',
  'details.travelRequestId': 'Approved trip',
  'details.newEmployer': 'New employer',
  'details.lastWorkingDay': 'Last working day',
  employeeEmail: "Employee's email",
  passportNumber: 'Passport number',
  issuingCountry: 'Issuing country',
  expiryDate: 'Expiry date',
  reason: 'Reason',
  reply: 'Your reply to the reviewer',
};

/** What to ask for when a field is missing or empty. */
const MISSING: Record<string, string> = {
  destinationCountry: 'choose the country you are going to',
  departureDate: 'enter the departure date',
  returnDate: 'enter the return date',
  purpose: 'say what the trip is for',
  technologyAreas: 'tick the technology areas you work on, or None',
  dataCategories: 'tick the data that crosses the border, or None',
  details: 'fill in the details of this request type',
  'details.eventName': "enter the event's name",
  'details.hostEntity': 'enter the company or site you will work at',
  'details.role': 'enter your role there',
  'details.months': 'enter how many months, as a whole number',
  'details.dealName': "enter the deal's name",
  'details.counterpartyRole': "choose our side's role in the deal",
  'details.involvement': 'choose how you are involved',
  'details.reason': 'say why you need your passport',
  'details.newEmployer': 'enter the new employer',
  'details.lastWorkingDay': 'enter your last working day',
  employeeEmail: "enter the employee's email",
  passportNumber: 'enter the passport number',
  issuingCountry: 'enter the issuing country',
  expiryDate: 'enter the expiry date',
};

/** A field's label: `counterparties.1.country` is "Counterparty 2: country". */
export function fieldLabel(field: string): string {
  const counterparty = /^counterparties\.(\d+)\.(\w+)$/.exec(field);
  if (counterparty)
    return `Counterparty ${Number(counterparty[1]) + 1}: ${counterparty[2] === 'name' ? 'name' : 'country'}`;
  const manifestItem = /^manifest\.(devices|materials)\.(\d+)(?:\.(\w+))?$/.exec(field);
  if (manifestItem) {
    const [, list, index, key] = manifestItem;
    const what = `${list === 'devices' ? 'Device' : 'Material'} ${Number(index) + 1}`;
    const words: Record<string, string> = {
      assetTag: 'asset tag',
      kind: 'kind',
      title: 'title',
      published: 'published',
    };
    return key ? `${what}: ${words[key] ?? key}` : what;
  }
  if (field === 'manifest' || field.startsWith('manifest.'))
    return field === 'manifest' ? 'Trip manifest' : `Trip manifest: ${field.slice(9)}`;
  return (
    LABELS[field] ??
    field
      .replace(/^details\./, '')
      .replace(/([A-Z])/g, ' $1')
      .replace(/^./, (c) => c.toUpperCase())
  );
}

/** One message of the API about `field` as a sentence a person acts on (without the label). */
export function messageInWords(field: string, message: string): string {
  const m = message.trim();
  const counterparty = /^counterparties\.\d+\.(\w+)$/.exec(field);
  if (counterparty) {
    if (/ISO 3166|country code/i.test(m)) return "choose the organisation's country from the list, for example Japan";
    if (/empty|longer than or equal to 1|must be a string|required/i.test(m)) return "enter the organisation's name";
  }
  if (field.startsWith('manifest.')) {
    if (/required for a company device/i.test(m)) return 'enter the asset tag of the company device';
    if (/title is required/i.test(m)) return 'enter the title of the material';
    const at = m.indexOf(`${field} `) === 0 ? m.slice(field.length + 1) : m;
    return at.charAt(0).toLowerCase() + at.slice(1);
  }
  if (/ISO 3166|country code/i.test(m)) return 'choose a country from the list, for example Japan';
  if (/in the past/i.test(m)) return 'the date cannot be in the past';
  if (/before departureDate|not be before/i.test(m)) return 'the return date cannot be before the departure date';
  if (/on or before the departure date/i.test(m))
    return 'your last working day must be on or before the departure date';
  if (/combine "none"/i.test(m)) return 'None cannot be ticked together with anything else';
  const longest = /shorter than or equal to (\d+)|at most (\d+) characters/i.exec(m);
  if (longest) return `keep it to ${longest[1] ?? longest[2]} characters or fewer`;
  if (
    /should not be empty|longer than or equal to 1 characters|must be a string|is required|should not be null|must not be empty/i.test(
      m,
    )
  ) {
    return MISSING[field] ?? `fill in ${fieldLabel(field).toLowerCase()}`;
  }
  if (/date in the form|must be a (valid )?date|calendar date/i.test(m)) return 'enter a date';
  if (/must be one of|each of/i.test(m)) return MISSING[field] ?? 'choose one of the offered values';
  if (/whole number|must be an integer|must be a number|not be less than|not be greater than/i.test(m)) {
    return MISSING[field] ?? 'enter a whole number';
  }
  // anything else: the API's sentence, without the field key it starts with
  const key = field.split('.').pop() ?? field;
  const rest = m.startsWith(`${field} `)
    ? m.slice(field.length + 1)
    : m.startsWith(`${key} `)
      ? m.slice(key.length + 1)
      : m;
  return rest.charAt(0).toLowerCase() + rest.slice(1);
}

export interface WordedFieldError {
  field: string;
  messages: string[];
  label: string;
  /** The plain sentences, joined. */
  text: string;
}

/** The API's field errors with the label and plain sentences a page shows (one sentence each, no repeats). */
export function wordedErrors(error?: ApiErrorBody): WordedFieldError[] {
  return (error?.errors ?? []).map((e) => ({
    ...e,
    label: fieldLabel(e.field),
    text: [...new Set(e.messages.map((m) => messageInWords(e.field, m)))].join('; '),
  }));
}

/** One plain sentence per field, to show beside each field of a form. */
export function wordsByField(error?: ApiErrorBody): Record<string, string> {
  const byField: Record<string, string> = {};
  for (const e of wordedErrors(error)) byField[e.field] = byField[e.field] ? `${byField[e.field]}; ${e.text}` : e.text;
  return byField;
}
