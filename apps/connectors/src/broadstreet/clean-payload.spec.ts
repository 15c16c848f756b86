import { cleanPayload, fieldsFromRemote, MissingRequiredFieldError } from './clean-payload';

describe('cleanPayload', () => {
  it('sends the name, required fields, optional ones only when set, all trimmed, flat, without the parent the path names', () => {
    expect(cleanPayload('advertisers', 'Acme (1)', { web_home_url: '  https://acme.example ', notes: '   ' }, { network: '12' })).toEqual({
      name: 'Acme (1)', web_home_url: 'https://acme.example',
    });
    expect(cleanPayload('campaigns', ' Spring ', { start_date: '2026-03-01', end_date: null, weight: 0 }, { advertiser: '7' })).toEqual({
      name: 'Spring', start_date: '2026-03-01', weight: 0,
    });
  });

  it('names a placement\'s advertisement and zone by remote id; its campaign is in the path', () => {
    expect(cleanPayload('placements', null, {}, { campaign: '3', advertisement: '4', zone: '5' })).toEqual({ advertisement_id: '4', zone_id: '5' });
  });

  it('refuses to send without a required field', () => {
    expect(() => cleanPayload('campaigns', 'X', { start_date: ' ' }, { advertiser: '1' })).toThrow(MissingRequiredFieldError);
    expect(() => cleanPayload('networks', '  ', {}, {})).toThrow('networks needs name');
    expect(() => cleanPayload('placements', null, {}, { campaign: '3', zone: '5' })).toThrow('placements needs advertisement_id');
  });
});

describe('fieldsFromRemote', () => {
  it('keeps the fields the model knows, drops the rest', () => {
    expect(fieldsFromRemote('campaigns', { id: 1, name: 'C', start_date: '2026-01-01', weight: 2, path: '/x', end_date: null, impression_count: 5 })).toEqual({
      start_date: '2026-01-01', weight: 2,
    });
  });
});
