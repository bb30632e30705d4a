/**
 * Telling the user of an alert outside the page: a browser notification and a short beep.
 *
 * Both are opt-in and remembered in this browser (localStorage, like the theme): the choice is
 * the device's, not the account's. When on, they fire for every `alert:new` while the dashboard
 * is open in a tab, visible or not: a trader with the dashboard on a second screen has a
 * "visible" page they are not watching, so "only when hidden" would miss the case that matters.
 * (There is no service worker: with the dashboard closed, only the webhook tells.)
 * The beep is made with the Web Audio API: no audio file, nothing fetched.
 */
import { useSyncExternalStore } from 'react';

import type { Alert } from '@/lib/api-types';

const NOTIFY_KEY = 'scoreline-alert-notifications';
const SOUND_KEY = 'scoreline-alert-sound';

/** The browser's answer for this site, or `unsupported` where there is no Notification API. */
export type Permission = NotificationPermission | 'unsupported';

export interface AlertPreferences {
  /** The user turned browser notifications on here (they show only while `permission` is granted). */
  notify: boolean;
  sound: boolean;
  permission: Permission;
}

const listeners = new Set<() => void>();
let snapshot: AlertPreferences | null = null;

function read(key: string): boolean {
  try {
    return localStorage.getItem(key) === 'on';
  } catch {
    return false; // storage refused (private mode): off
  }
}

function write(key: string, on: boolean): void {
  try {
    if (on) localStorage.setItem(key, 'on');
    else localStorage.removeItem(key);
  } catch {
    // storage refused: the choice lasts for this page only
  }
}

export function currentPermission(): Permission {
  return typeof window !== 'undefined' && 'Notification' in window ? window.Notification.permission : 'unsupported';
}

function load(): AlertPreferences {
  return { notify: read(NOTIFY_KEY), sound: read(SOUND_KEY), permission: currentPermission() };
}

function changed(): void {
  snapshot = load();
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  // A permission changed in the browser's site settings shows when the user comes back.
  if (listeners.size === 0) window.addEventListener('focus', changed);
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) window.removeEventListener('focus', changed);
  };
}

function getSnapshot(): AlertPreferences {
  const fresh = load();
  if (
    !snapshot ||
    snapshot.notify !== fresh.notify ||
    snapshot.sound !== fresh.sound ||
    snapshot.permission !== fresh.permission
  ) {
    snapshot = fresh;
  }
  return snapshot;
}

export function useAlertPreferences(): AlertPreferences {
  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
}

/** Turn browser notifications on (asking the browser when it has not been asked) or off. */
export async function setNotify(on: boolean): Promise<Permission> {
  let permission = currentPermission();
  if (on && permission === 'default') permission = await window.Notification.requestPermission();
  write(NOTIFY_KEY, on);
  changed();
  return permission;
}

export function setSound(on: boolean): void {
  write(SOUND_KEY, on);
  changed();
  if (on) beep(); // a preview, and a user gesture that lets the audio context start
}

let audio: AudioContext | null = null;

/** A short two-tone beep (~0.25 s), quiet. */
export function beep(): void {
  try {
    if (typeof AudioContext === 'undefined') return;
    audio ??= new AudioContext();
    if (audio.state === 'suspended') void audio.resume();
    const start = audio.currentTime;
    const gain = audio.createGain();
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.15, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.25);
    gain.connect(audio.destination);
    const tone = audio.createOscillator();
    tone.type = 'sine';
    tone.frequency.setValueAtTime(880, start);
    tone.frequency.setValueAtTime(1320, start + 0.1);
    tone.connect(gain);
    tone.start(start);
    tone.stop(start + 0.26);
  } catch {
    // no audio output: the in-app toast still tells
  }
}

/** Tell of a pushed alert outside the page, as the user chose. */
export function announce(alert: Alert): void {
  const { notify, sound, permission } = getSnapshot();
  if (notify && permission === 'granted') {
    try {
      new window.Notification(alert.title, { body: alert.message, tag: `scoreline-alert-${alert.id}` });
    } catch {
      // some browsers allow notifications only from a service worker: the toast still tells
    }
  }
  if (sound) beep();
}
