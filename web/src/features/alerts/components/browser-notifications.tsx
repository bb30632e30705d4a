import { useState } from 'react';

import { Button } from '@/components/ui/button';
import { setNotify, setSound, useAlertPreferences, type Permission } from '@/features/alerts/api/notify';

const PERMISSION_TEXT: Record<Permission, string> = {
  default: 'The browser has not been asked yet.',
  granted: 'Allowed by the browser.',
  denied: "Blocked by the browser: allow notifications for this site in the browser's site settings, then come back.",
  unsupported: 'This browser cannot show notifications.',
};

/**
 * Opt-in browser notifications and a beep for each new alert, remembered in this browser.
 * They show for every alert while the dashboard is open in a tab, seen or not.
 */
export function BrowserNotifications() {
  const { notify, sound, permission } = useAlertPreferences();
  const [asking, setAsking] = useState(false);
  const showing = notify && permission === 'granted';
  const toggle = () => {
    setAsking(true);
    void setNotify(!notify).finally(() => setAsking(false));
  };
  return (
    <div className="flex flex-col gap-3 text-sm">
      <p>
        Browser notifications are{' '}
        <strong data-testid="notify-state">{showing ? 'on' : notify && permission !== 'granted' ? 'on here, but not allowed' : 'off'}</strong>
        . <span data-testid="notify-permission">{PERMISSION_TEXT[permission]}</span>
      </p>
      <p className="text-xs text-muted">
        When on, each new alert also shows as a system notification while the dashboard is open in a tab, even one you
        are not looking at.
      </p>
      <div className="flex flex-wrap items-center gap-2">
        <Button
          onClick={toggle}
          disabled={asking || (!notify && (permission === 'denied' || permission === 'unsupported'))}
          variant={notify ? 'secondary' : 'primary'}
          data-testid="notify-toggle"
        >
          {notify ? 'Turn off browser notifications' : 'Turn on browser notifications'}
        </Button>
      </div>
      <label className="flex items-center gap-2">
        <input
          type="checkbox"
          checked={sound}
          onChange={(event) => setSound(event.target.checked)}
          data-testid="sound-toggle"
          className="h-4 w-4"
        />
        Play a short sound with each new alert
      </label>
    </div>
  );
}
