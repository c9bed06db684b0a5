import {
  APPROVAL_STATUS_LABELS,
  countryName,
  datesInWords,
  detailRows,
  flagsInWords,
  label,
  labels,
  obligationKindLabel,
  packetRows,
  reasonInWords,
  returnInWords,
  screeningHitInWords,
} from './labels';
import {
  APPROVAL_STATUSES,
  COUNTERPARTY_ROLES,
  DATA_CATEGORIES,
  DEAL_INVOLVEMENTS,
  DECISIONS,
  DESTINATION_RISKS,
  PARTIES,
  REQUEST_STATUSES,
  REQUEST_TYPES,
  STAGE_STATUSES,
  TECHNOLOGY_AREAS,
  TIERS,
} from './vocabulary';

describe('labels', () => {
  it('should give every code of every closed vocabulary its own words, never the code', () => {
    const codes = [
      ...REQUEST_TYPES,
      ...REQUEST_STATUSES,
      ...APPROVAL_STATUSES,
      ...STAGE_STATUSES,
      ...TECHNOLOGY_AREAS,
      ...DATA_CATEGORIES,
      ...PARTIES,
      ...TIERS,
      ...DESTINATION_RISKS,
      ...COUNTERPARTY_ROLES,
      ...DEAL_INVOLVEMENTS,
      ...DECISIONS,
    ];
    for (const code of codes) {
      const words = label(code);
      expect(words).not.toMatch(/_/);
      expect(words.charAt(0)).toBe(words.charAt(0).toUpperCase());
    }
    expect(label('general_software')).toBe('General software');
    expect(label('model_weights')).toBe('Model weights');
    expect(label('changes_requested')).toBe('Changes requested');
    expect(label('superseded')).toBe(APPROVAL_STATUS_LABELS.superseded);
    expect(label('data_governance')).toBe('Data governance');
  });

  it('should name obligation kinds, conditions included', () => {
    expect(obligationKindLabel('condition-1')).toBe('Condition 1');
    expect(label('condition-12')).toBe('Condition 12');
    expect(obligationKindLabel('debrief')).toBe('Debrief after return');
    expect(label('passport_return')).toBe('Passport back in custody');
  });

  it('should name countries from their ISO codes and keep anything else as given', () => {
    expect(countryName('JP')).toBe('Japan');
    expect(countryName('de')).toBe('Germany');
    expect(countryName('Japan')).toBe('Japan');
  });

  it('should humanise a code no table knows', () => {
    expect(label('something_new')).toBe('Something new');
    expect(labels(['source_code', 'model_weights'])).toBe('Source code, Model weights');
  });

  it('should say a screening hit in words, naming the alias that matched', () => {
    const hit = {
      counterparty: 'Acme Quantum Research Inst.',
      entryName: 'ACME Quantum Research Institute',
      matchedName: 'ACME Quantum Research Institute',
      source: 'Test',
      score: 96,
    };
    expect(screeningHitInWords(hit)).toBe(
      'Acme Quantum Research Inst. matches ACME Quantum Research Institute on the Test list, 96 % similar',
    );
    expect(screeningHitInWords({ ...hit, matchedName: 'AQRI', source: 'Entity List (EL)', score: 100 })).toBe(
      'Acme Quantum Research Inst. matches AQRI (also known as ACME Quantum Research Institute) on the Entity List (EL), 100 % similar',
    );
  });

  it.each([
    [
      'conference',
      { eventName: 'NeurIPS', presenting: true },
      ['Event: NeurIPS', 'Presenting: Yes, presents at the event'],
    ],
    [
      'overseas_assignment',
      { hostEntity: 'Acme GmbH', role: 'Lead engineer', months: 6 },
      ['Host entity: Acme GmbH', 'Role: Lead engineer', 'Length: 6 months'],
    ],
    [
      'ma_participation',
      { dealName: 'Project Falcon', counterpartyRole: 'target', involvement: 'due_diligence' },
      ['Deal: Project Falcon', 'Our side: Target', 'Involvement: Due diligence'],
    ],
    ['passport_release', { reason: 'Visa appointment' }, ['Reason for the release: Visa appointment']],
    [
      'departure_abroad',
      { newEmployer: 'Globex KK', lastWorkingDay: '2027-05-31' },
      ['New employer: Globex KK', 'Last working day: 2027-05-31'],
    ],
  ])('should give the details of a %s request in words', (type, details, expected) => {
    expect(detailRows(type, details).map((r) => `${r.label}: ${r.value}`)).toEqual(expected);
  });

  it('should give every detail of a request in words, with the destination by name and its risk', () => {
    const rows = packetRows({
      type: 'conference',
      destinationCountry: 'JP',
      destinationRisk: 'elevated',
      departureDate: '2027-03-01',
      returnDate: '2027-03-05',
      purpose: 'Talk',
      counterparties: [{ name: 'Globex', country: 'DE' }],
      technologyAreas: ['general_software'],
      dataCategories: ['model_weights', 'presentation_materials'],
      details: { eventName: 'ICML', presenting: false },
    });
    const byLabel = Object.fromEntries(rows.map((r) => [r.label, r.value]));
    expect(byLabel).toMatchObject({
      Type: 'Conference trip',
      Event: 'ICML',
      Presenting: 'No, attends only',
      Destination: 'Japan (elevated risk)',
      Dates: '2027-03-01 to 2027-03-05',
      Counterparties: 'Globex (Germany)',
      Technology: 'General software',
      'Data crossing the border': 'Model weights, Presentation materials',
    });
  });
});

describe('dates of a permanent move', () => {
  it('should say "No return (permanent move)" where a return date would be', () => {
    expect(returnInWords(null)).toBe('No return (permanent move)');
    expect(returnInWords(undefined)).toBe('No return (permanent move)');
    expect(returnInWords('2027-03-07')).toBe('2027-03-07');
    expect(datesInWords('2027-03-01', '2027-03-07')).toBe('2027-03-01 to 2027-03-07');
    expect(datesInWords('2027-04-01', null)).toBe('2027-04-01, No return (permanent move)');
    const rows = packetRows({
      type: 'departure_abroad',
      destinationCountry: 'JP',
      departureDate: '2027-04-01',
      returnDate: null,
      purpose: 'New job',
      counterparties: [],
      technologyAreas: ['none'],
      dataCategories: ['none'],
      details: { newEmployer: 'Globex KK', lastWorkingDay: '2027-03-31' },
    });
    expect(rows.find((r) => r.label === 'Dates')?.value).toBe('2027-04-01, No return (permanent move)');
  });
});

describe('reasonInWords', () => {
  it.each([
    ['data leaves the company: model_weights, source_code', 'data leaves the company: model weights, source code'],
    ['technology areas: general_software', 'technology areas: general software'],
    ['controlled technology for tier core: ai_chips', 'controlled technology for tier core: AI chips'],
    ['destination JP is rated elevated risk', 'destination Japan is rated elevated risk'],
    ['data_governance reviews every conference trip', 'Data governance reviews every conference trip'],
    ['requester presents at the event', 'requester presents at the event'],
  ])('should read "%s" as "%s"', (reason, words) => {
    expect(reasonInWords(reason)).toBe(words);
  });
});

describe('packetRows with external authorizations and determinations', () => {
  it('should name the authorizations with their status and the determined conditions', () => {
    const rows = packetRows({
      type: 'conference',
      destinationCountry: 'IR',
      departureDate: '2027-03-01',
      returnDate: '2027-03-07',
      purpose: 'p',
      counterparties: [],
      technologyAreas: ['none'],
      dataCategories: ['none'],
      details: { eventName: 'E', presenting: false },
      authorizations: [{ label: 'Official exit approval', status: 'applied' }],
      determinations: [{ outcome: 'condition', reason: 'high risk', condition: 'Loaner device only' }],
    });
    expect(rows.slice(-2)).toEqual([
      { label: 'External authorizations', value: 'Official exit approval (applied for)' },
      { label: 'Determined by the policy', value: 'Condition: Loaner device only' },
    ]);
  });

  it('should state a person’s directory flags in words', () => {
    expect(flagsInWords({ classifiedAccess: true, confidentialityPeriodEnds: '2031-06-30' })).toBe(
      'Has classified access, in a confidentiality period until 2031-06-30',
    );
    expect(flagsInWords({ classifiedAccess: false, confidentialityPeriodEnds: null })).toBe(
      'No classified access, no confidentiality period',
    );
  });
});
