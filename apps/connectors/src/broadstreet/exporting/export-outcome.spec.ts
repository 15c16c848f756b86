import { UpstreamError } from '../../framework/http/upstream.errors';
import { MissingRequiredFieldError } from '../clean-payload';
import { CreatedWithoutIdError, DependencyNotExportedError, exportVerdict } from './export-outcome';

describe('exportVerdict', () => {
  it('stops the run on an auth error: every later call would fail the same way', () => {
    expect(exportVerdict(new UpstreamError('auth', 'POST /networks: HTTP 401'))).toMatchObject({ action: 'stop', category: 'auth' });
  });

  it('fails just the entity on a rejected payload, with the API\'s reason', () => {
    const err = new UpstreamError('validation', 'POST /networks/1/advertisers: HTTP 422', { status: 422, body: '{"errors":{"name":["has already been taken"]}}' });
    expect(exportVerdict(err)).toEqual({
      action: 'failed', category: 'validation', message: 'POST /networks/1/advertisers: HTTP 422: {"errors":{"name":["has already been taken"]}}', mayHaveWritten: false,
    });
    expect(exportVerdict(new MissingRequiredFieldError('campaigns', 'start_date'))).toMatchObject({ action: 'failed', category: 'validation' });
  });

  it('fails just the entity once retries or the rate-limit budget are used up', () => {
    expect(exportVerdict(new UpstreamError('upstream_5xx', 'HTTP 500'))).toMatchObject({ action: 'failed', category: 'upstream_5xx', mayHaveWritten: true });
    expect(exportVerdict(new UpstreamError('network', 'ECONNRESET'))).toMatchObject({ action: 'failed', category: 'network', mayHaveWritten: true });
    expect(exportVerdict(new UpstreamError('rate_limit', 'HTTP 429'))).toMatchObject({ action: 'failed', category: 'rate_limit', mayHaveWritten: false });
  });

  it('skips an entity whose dependency is not exported, saying why', () => {
    expect(exportVerdict(new DependencyNotExportedError('advertiser', 'a1', 'HTTP 422'))).toEqual({
      action: 'skipped', category: 'dependency', message: 'advertiser a1 is not exported: HTTP 422', mayHaveWritten: false,
    });
  });

  it('stops on anything unexpected (ours, e.g. the database)', () => {
    expect(exportVerdict(new Error('connection terminated'))).toMatchObject({ action: 'stop', category: 'internal' });
  });
});

describe('a create answered without an id and not found by lookup', () => {
  it('fails the entity but keeps the intent: the next run looks it up again', () => {
    expect(exportVerdict(new CreatedWithoutIdError('advertisers', 'Acme'))).toEqual({
      action: 'failed', category: 'validation', message: 'the create of advertisers "Acme" was answered without an id, and a lookup under its parent did not find it', mayHaveWritten: true,
    });
  });
});
