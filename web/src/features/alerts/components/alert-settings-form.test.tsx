import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { json, mockFetch } from '@/test/fetch-mock';
import { seriousViolations } from '@/test/axe';
import { renderWithProviders } from '@/test/render';
import { draftFromSettings, settingsFromDraft } from '@/features/alerts/api/settings-form';
import { AlertSettingsForm } from './alert-settings-form';

const EDGE = 'Value bets: edge at least (%)';
const MOVE = 'Line moves: price moves at least (%)';
const HOOK = 'Webhook URL';

describe('alert settings: percent in the form, fraction on the wire', () => {
  it('turns typed percentages into fractions and blanks into off', () => {
    expect(settingsFromDraft({ value_edge_min: '3', line_move_min: ' 2.5 ', webhook_url: '' })).toEqual({
      body: { value_edge_min: '0.03', line_move_min: '0.025', webhook_url: null },
    });
    expect(settingsFromDraft({ value_edge_min: '0.25%', line_move_min: '', webhook_url: ' https://hooks.example/x ' })).toEqual({
      body: { value_edge_min: '0.0025', line_move_min: null, webhook_url: 'https://hooks.example/x' },
    });
    expect(settingsFromDraft({ value_edge_min: 'three', line_move_min: '-1', webhook_url: '' })).toEqual({
      errors: {
        value_edge_min: 'Enter a percentage such as 3 (for 3%), or leave it blank for off.',
        line_move_min: 'Enter a percentage such as 3 (for 3%), or leave it blank for off.',
      },
    });
  });

  it('shows stored fractions as percentages', () => {
    expect(draftFromSettings({ value_edge_min: '0.0300', line_move_min: '0.0125', webhook_url: null })).toEqual({
      value_edge_min: '3',
      line_move_min: '1.25',
      webhook_url: '',
    });
    expect(draftFromSettings({ value_edge_min: '1', line_move_min: null, webhook_url: 'https://h.example' })).toEqual({
      value_edge_min: '100',
      line_move_min: '',
      webhook_url: 'https://h.example',
    });
  });
});

describe('alert settings form', () => {
  it('loads the stored settings, saves what is typed as fractions and says what is on', async () => {
    const api = mockFetch({
      'GET /api/v1/alerts/settings': { value_edge_min: '0.0500', line_move_min: null, webhook_url: null },
      'PUT /api/v1/alerts/settings': async (request: Request) => json(await request.json()),
    });
    renderWithProviders(<AlertSettingsForm />);
    const edge = await screen.findByLabelText(EDGE);
    expect(edge).toHaveValue('5');
    expect(screen.getByLabelText(MOVE)).toHaveValue('');
    expect(screen.getByTestId('alert-settings-summary')).toHaveTextContent('On: value bets with an edge of 5% or more.');
    const people = userEvent.setup();
    await people.clear(edge);
    await people.type(edge, '3');
    await people.type(screen.getByLabelText(MOVE), '7.5');
    await people.click(screen.getByRole('button', { name: 'Save alert settings' }));
    expect(await screen.findByText('Saved.')).toBeInTheDocument();
    expect(JSON.parse(api.callsTo('PUT', '/api/v1/alerts/settings')[0]?.body ?? '{}')).toEqual({
      value_edge_min: '0.03',
      line_move_min: '0.075',
      webhook_url: null,
    });
    expect(screen.getByTestId('alert-settings-summary')).toHaveTextContent(
      'On: value bets with an edge of 3% or more; line moves of 7.5% or more on followed fixtures.',
    );
    expect(await seriousViolations()).toEqual([]);
  });

  it("shows the server's 422 messages by the fields they name", async () => {
    mockFetch({
      'GET /api/v1/alerts/settings': { value_edge_min: null, line_move_min: null, webhook_url: null },
      'PUT /api/v1/alerts/settings': json(
        {
          detail: [
            { loc: ['body', 'value_edge_min'], msg: 'must be a fraction from 0.0001 (0.01%) to 1 (100%)', type: 'alert_setting' },
            { loc: ['body', 'webhook_url'], msg: 'must be an http:// or https:// address with a host', type: 'alert_setting' },
          ],
        },
        422,
      ),
    });
    renderWithProviders(<AlertSettingsForm />);
    const people = userEvent.setup();
    await people.type(await screen.findByLabelText(EDGE), '150');
    await people.type(screen.getByLabelText(HOOK), 'ftp://files.example');
    await people.click(screen.getByRole('button', { name: 'Save alert settings' }));
    expect(await screen.findByText('must be a fraction from 0.0001 (0.01%) to 1 (100%)')).toBeInTheDocument();
    expect(screen.getByLabelText(EDGE)).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText(EDGE)).toHaveAccessibleDescription(/must be a fraction from 0\.0001 \(0\.01%\) to 1 \(100%\)/);
    expect(screen.getByLabelText(HOOK)).toHaveAccessibleDescription(/must be an http:\/\/ or https:\/\/ address with a host/);
    expect(screen.getByLabelText(MOVE)).not.toHaveAttribute('aria-invalid');
    expect(screen.queryByText('Saved.')).not.toBeInTheDocument();
  });

  it('refuses a threshold that is not a number before asking the server', async () => {
    const api = mockFetch({
      'GET /api/v1/alerts/settings': { value_edge_min: null, line_move_min: null, webhook_url: null },
    });
    renderWithProviders(<AlertSettingsForm />);
    const people = userEvent.setup();
    await people.type(await screen.findByLabelText(MOVE), 'lots');
    await people.click(screen.getByRole('button', { name: 'Save alert settings' }));
    expect(screen.getByLabelText(MOVE)).toHaveAccessibleDescription(/Enter a percentage such as 3/);
    expect(api.callsTo('PUT', '/api/v1/alerts/settings')).toHaveLength(0);
  });
});
