import { InvalidInputError } from '../../framework/input/invalid-input.error';
import { incrementalFilters } from './incremental-filters';

describe('incrementalFilters', () => {
  it('keeps the parents in the type\'s path', () => {
    expect(incrementalFilters('campaigns', { advertiser_id: 'a', network_id: 'n' })).toEqual({ advertiser_id: 'a', network_id: 'n' });
    expect(incrementalFilters('placements', { campaign_id: 'c' })).toEqual({ campaign_id: 'c' });
    expect(incrementalFilters('networks', {})).toEqual({});
  });

  it('names each filter the type cannot take', () => {
    const err = (() => {
      try {
        incrementalFilters('zones', { advertiser_id: 'a', campaign_id: 'c', network_id: 'n' });
      } catch (e) {
        return e as InvalidInputError;
      }
    })();
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err!.fields).toEqual([
      { field: 'advertiser_id', errors: ['not a filter of zones: zones can be filtered by network_id'] },
      { field: 'campaign_id', errors: ['not a filter of zones: zones can be filtered by network_id'] },
    ]);
  });
});
