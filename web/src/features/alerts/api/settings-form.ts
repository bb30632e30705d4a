/**
 * The alert settings form and the API's body: thresholds are typed as percentages ("3") and
 * sent as fractions ("0.03"); a blank field is off (null). The range is the server's rule: it
 * answers 422 naming the field, shown by that field.
 */
import type { AlertSettings, AlertSettingsIn } from '@/lib/api-types';
import { fractionToPercent, percentToFraction } from '@/lib/format';

export const SETTINGS_FIELDS = ['value_edge_min', 'line_move_min', 'webhook_url'] as const;
export type SettingsField = (typeof SETTINGS_FIELDS)[number];

export interface SettingsDraft {
  value_edge_min: string;
  line_move_min: string;
  webhook_url: string;
}

export type SettingsErrors = Partial<Record<SettingsField, string>>;

export function draftFromSettings(settings: AlertSettings | undefined): SettingsDraft {
  return {
    value_edge_min: fractionToPercent(settings?.value_edge_min),
    line_move_min: fractionToPercent(settings?.line_move_min),
    webhook_url: settings?.webhook_url ?? '',
  };
}

const NOT_A_PERCENT = 'Enter a percentage such as 3 (for 3%), or leave it blank for off.';

/** The body to PUT, or what is wrong with the draft (only what cannot be sent at all). */
export function settingsFromDraft(draft: SettingsDraft): { body: AlertSettingsIn } | { errors: SettingsErrors } {
  const errors: SettingsErrors = {};
  const threshold = (field: 'value_edge_min' | 'line_move_min'): string | null => {
    const text = draft[field].trim();
    if (!text) return null;
    const fraction = percentToFraction(text);
    if (fraction === null) errors[field] = NOT_A_PERCENT;
    return fraction;
  };
  const body: AlertSettingsIn = {
    value_edge_min: threshold('value_edge_min'),
    line_move_min: threshold('line_move_min'),
    webhook_url: draft.webhook_url.trim() || null,
  };
  return Object.keys(errors).length > 0 ? { errors } : { body };
}
