import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';

import { Modal } from '@/components/ui/modal';
import type { BoardRow } from '@/lib/api-types';
import type { Slot } from '@/features/board/api/board';
import { betIntent, type BetIntent } from './board-table';

export interface ActiveCell {
  row: number;
  slot: number;
}

/** The board's shortcuts, as the help dialog and the README list them. */
export const SHORTCUTS: readonly [string, string][] = [
  ['j or ↓', 'Next fixture'],
  ['k or ↑', 'Previous fixture'],
  ['l or →', 'Next selection'],
  ['h or ←', 'Previous selection'],
  ['b or Enter', 'Bet on the marked selection (when it has an edge)'],
  ['o', "Open the marked fixture's page"],
  ['Enter (in the bet dialog)', 'Place the bet'],
  ['Esc', 'Close a dialog'],
  ['?', 'Show these shortcuts'],
];

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && Boolean(target.closest('input, select, textarea, [contenteditable="true"]'));
}

function clamp(value: number, size: number): number {
  return Math.max(0, Math.min(size - 1, value));
}

/**
 * Keyboard use of the board: a marked row and selection moved with j/k/h/l (or the arrows once
 * a row has focus), "b" to bet on it, "?" for help. Keys typed into a field, or while a dialog
 * is open, are left alone.
 */
export function useBoardKeys(
  rows: readonly BoardRow[],
  slots: readonly Slot[],
  onBet: ((intent: BetIntent) => void) | undefined,
  minEdge: number | null = null,
) {
  const [active, setActive] = useState<ActiveCell | null>(null);
  const [helpOpen, setHelpOpen] = useState(false);
  const navigate = useNavigate();
  const latest = useRef({ rows, slots, onBet, active, navigate, minEdge });
  useEffect(() => {
    latest.current = { rows, slots, onBet, active, navigate, minEdge };
  });

  useEffect(() => {
    const focusRow = (index: number) => {
      const element = document.querySelectorAll<HTMLElement>('[data-testid="board-row"]')[index];
      element?.focus();
      element?.scrollIntoView?.({ block: 'nearest' });
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTyping(event.target) || document.querySelector('[aria-modal="true"]')) return;
      const { rows, slots, onBet, active, navigate, minEdge } = latest.current;
      if (event.key === '?') {
        event.preventDefault();
        setHelpOpen(true);
        return;
      }
      if (rows.length === 0 || slots.length === 0) return;
      const onRow = event.target instanceof HTMLElement && event.target.matches('[data-testid="board-row"]');
      const current = active ?? { row: -1, slot: 0 };
      let next: ActiveCell | null = null;
      if (event.key === 'j' || (onRow && event.key === 'ArrowDown')) next = { ...current, row: current.row + 1 };
      else if (event.key === 'k' || (onRow && event.key === 'ArrowUp')) next = { ...current, row: current.row - 1 };
      else if (event.key === 'l' || (onRow && event.key === 'ArrowRight')) next = { ...current, slot: current.slot + 1 };
      else if (event.key === 'h' || (onRow && event.key === 'ArrowLeft')) next = { ...current, slot: current.slot - 1 };
      if (next) {
        event.preventDefault();
        const cell = { row: clamp(next.row, rows.length), slot: clamp(next.slot, slots.length) };
        setActive(cell);
        focusRow(cell.row);
        return;
      }
      const row = active ? rows[active.row] : undefined;
      const slot = active ? slots[active.slot] : undefined;
      if (!row || !slot) return;
      if (event.key === 'b' || (onRow && event.key === 'Enter')) {
        const intent = betIntent(row, slot, minEdge);
        if (intent && onBet) {
          event.preventDefault();
          onBet(intent);
        }
      } else if (event.key === 'o') {
        event.preventDefault();
        void navigate(`/fixtures/${row.fixture_id}`);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const shown = active && active.row < rows.length && active.slot < slots.length ? active : null;
  return { active: shown, helpOpen, closeHelp: () => setHelpOpen(false), openHelp: () => setHelpOpen(true) };
}

export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose}>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm" data-testid="shortcuts">
        {SHORTCUTS.map(([keys, what]) => (
          <div key={keys} className="contents">
            <dt>
              <kbd className="rounded border border-line bg-panel-2 px-1.5 py-0.5 font-mono text-xs">{keys}</kbd>
            </dt>
            <dd className="text-muted">{what}</dd>
          </div>
        ))}
      </dl>
    </Modal>
  );
}
