import { useState, type FormEvent } from 'react';

import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/field';
import { ErrorState, InlineError, Spinner } from '@/components/ui/states';
import { fieldErrors } from '@/lib/api-client';
import type { AlertSettings } from '@/lib/api-types';
import { formatFraction } from '@/lib/format';
import { useAlertSettings, useSaveAlertSettings } from '@/features/alerts/api/alerts';
import {
  draftFromSettings,
  SETTINGS_FIELDS,
  settingsFromDraft,
  type SettingsDraft,
  type SettingsErrors,
  type SettingsField,
} from '@/features/alerts/api/settings-form';

/** What is on now, in a sentence a trader reads at a glance. */
function summary(settings: AlertSettings): string {
  const edge = settings.value_edge_min ? `value bets with an edge of ${formatFraction(settings.value_edge_min)} or more` : null;
  const move = settings.line_move_min ? `line moves of ${formatFraction(settings.line_move_min)} or more on followed fixtures` : null;
  const told = [edge, move].filter(Boolean).join('; ');
  const hook = settings.webhook_url ? ' Each is also posted to your webhook.' : '';
  return told ? `On: ${told}.${hook}` : 'Every alert is off.';
}

function SettingsForm({ settings }: { settings: AlertSettings }) {
  const save = useSaveAlertSettings();
  const [draft, setDraft] = useState<SettingsDraft>(() => draftFromSettings(settings));
  const [local, setLocal] = useState<SettingsErrors>({});
  const [saved, setSaved] = useState(false);
  const server = save.isError ? fieldErrors(save.error, SETTINGS_FIELDS) : { byField: {}, other: [] };
  const errorOf = (field: SettingsField) => local[field] ?? server.byField[field] ?? null;

  const edit = (field: SettingsField) => (event: { target: { value: string } }) => {
    setDraft((current) => ({ ...current, [field]: event.target.value }));
    setSaved(false);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const made = settingsFromDraft(draft);
    if ('errors' in made) {
      setLocal(made.errors);
      return;
    }
    setLocal({});
    save.mutate(made.body, {
      onSuccess: (stored) => {
        setDraft(draftFromSettings(stored));
        setSaved(true);
      },
    });
  };

  return (
    <form onSubmit={submit} className="flex flex-col gap-3" aria-label="Alert settings" noValidate>
      <p className="text-sm text-muted" data-testid="alert-settings-summary">
        {summary(save.data ?? settings)}
      </p>
      <TextField
        label="Value bets: edge at least (%)"
        name="value_edge_min"
        inputMode="decimal"
        autoComplete="off"
        value={draft.value_edge_min}
        onChange={edit('value_edge_min')}
        hint="Tell me of a new value bet on any upcoming fixture whose edge is at least this, e.g. 3. Blank: off."
        error={errorOf('value_edge_min')}
      />
      <TextField
        label="Line moves: price moves at least (%)"
        name="line_move_min"
        inputMode="decimal"
        autoComplete="off"
        value={draft.line_move_min}
        onChange={edit('line_move_min')}
        hint="On fixtures you follow, tell me when a bookmaker's price moves this much from the last I heard of. Blank: off."
        error={errorOf('line_move_min')}
      />
      <TextField
        label="Webhook URL"
        name="webhook_url"
        type="url"
        inputMode="url"
        autoComplete="off"
        value={draft.webhook_url}
        onChange={edit('webhook_url')}
        hint="Also post each alert as JSON to this http(s) address. Blank: none."
        error={errorOf('webhook_url')}
      />
      {server.other.map((message) => (
        <InlineError key={message} message={message} />
      ))}
      <div className="flex flex-wrap items-center gap-2">
        <Button type="submit" variant="primary" disabled={save.isPending} data-testid="alert-settings-save">
          {save.isPending ? 'Saving…' : 'Save alert settings'}
        </Button>
        {saved ? (
          <p role="status" className="text-sm text-up">
            Saved.
          </p>
        ) : null}
      </div>
    </form>
  );
}

/** The value-bet and line-move thresholds and the webhook, each optional. */
export function AlertSettingsForm() {
  const settings = useAlertSettings();
  if (settings.isPending) return <Spinner />;
  if (settings.isError) return <ErrorState error={settings.error} title="Could not load the alert settings" />;
  return <SettingsForm settings={settings.data} />;
}
