import { describe, expect, it } from 'vitest';

import { checkSettings } from './portfolio-forms';

const good = {
  kelly_fraction: '0.25',
  max_stake_fraction: '0.05',
  max_fixture_fraction: '0.10',
  max_day_fraction: '0.25',
  min_edge: '0.02',
};

describe('checkSettings', () => {
  it('accepts fractions whose caps nest, equal caps included', () => {
    expect(checkSettings(good)).toBeNull();
    expect(checkSettings({ ...good, max_fixture_fraction: '0.05', max_day_fraction: '0.05' })).toBeNull();
  });

  it('names the cap that is out of order', () => {
    expect(checkSettings({ ...good, max_stake_fraction: '0.2' })).toBe(
      'The maximum stake cannot be above the fixture cap.',
    );
    expect(checkSettings({ ...good, max_fixture_fraction: '0.3' })).toBe(
      'The fixture cap cannot be above the day cap.',
    );
  });

  it('names a cap that is not a fraction or is zero', () => {
    expect(checkSettings({ ...good, max_day_fraction: '1.5' })).toBe(
      'Day cap must be a fraction between 0 and 1, such as 0.25.',
    );
    expect(checkSettings({ ...good, max_fixture_fraction: '0' })).toBe('Fixture cap must be more than 0.');
  });
});
