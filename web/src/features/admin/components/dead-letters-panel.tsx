import { useState } from 'react';

import type { DeadLetter, ReplayOutcome } from '@/lib/api-types';
import { Button } from '@/components/ui/button';
import { inputClass } from '@/components/ui/field';
import { Badge, Panel, rowClass, tableClass, TableFrame, td, th } from '@/components/ui/layout';
import { EmptyState, ErrorState, InlineError, Spinner } from '@/components/ui/states';
import { formatKickoff } from '@/lib/format';
import {
  DEAD_LETTERS_PAGE,
  useDeadLetterReasons,
  useDeadLetters,
  useReplayDeadLetters,
} from '@/features/admin/api/dead-letters';

const SHOWN = 120; // characters of a payload in the table; the title holds what the API sent

function ReplayCell({ letter, outcome, onReplay, busy }: {
  letter: DeadLetter;
  outcome: ReplayOutcome | undefined;
  onReplay: () => void;
  busy: boolean;
}) {
  if (letter.replay) {
    return (
      <span className="text-xs text-muted" data-testid={`replayed-${letter.id}`}>
        replayed {letter.replay.replayed_as ? `as ${letter.replay.replayed_as}` : '(pending)'} by {letter.replay.by}
      </span>
    );
  }
  if (!letter.stream) return <span className="text-xs text-muted">no stream to go back to</span>;
  return (
    <div className="flex flex-col gap-1">
      <Button size="sm" disabled={busy} onClick={onReplay} data-testid={`replay-${letter.id}`}>
        Replay
      </Button>
      {outcome?.skipped ? <span className="text-xs text-warn">{outcome.skipped}: {outcome.message}</span> : null}
    </div>
  );
}

export function DeadLettersPanel() {
  const [reason, setReason] = useState<string | null>(null);
  const [offset, setOffset] = useState(0);
  const letters = useDeadLetters(reason, offset);
  const reasons = useDeadLetterReasons();
  const replay = useReplayDeadLetters();
  const outcomes = new Map((replay.data ?? []).map((o) => [o.id, o]));
  const total = letters.data?.total ?? 0;

  return (
    <Panel title="Dead letters">
      <div className="grid gap-3">
        <label className="flex items-center gap-2 text-sm">
          Reason
          <select
            className={inputClass}
            value={reason ?? ''}
            data-testid="dead-letter-reason"
            onChange={(event) => {
              setReason(event.target.value || null);
              setOffset(0);
            }}
          >
            <option value="">every reason</option>
            {[...new Set((reasons.data ?? []).map((r) => r.reason))].map((code) => (
              <option key={code} value={code}>
                {code}
              </option>
            ))}
          </select>
        </label>
        {reasons.data && reasons.data.length > 0 ? (
          <ul className="flex flex-wrap gap-2 text-xs" aria-label="Dead letters by stage and reason">
            {reasons.data.map((r) => (
              <li key={`${r.stage}-${r.reason}`}>
                <Badge tone="warn">
                  {r.stage} · {r.reason}: {r.count}
                  {r.replayed ? ` (${r.replayed} replayed)` : ''}
                </Badge>
              </li>
            ))}
          </ul>
        ) : null}
        {letters.isPending ? (
          <Spinner />
        ) : letters.isError ? (
          <ErrorState error={letters.error} title="Could not load the dead letters" />
        ) : total === 0 ? (
          <EmptyState title="Nothing was dead-lettered">
            Every stream entry so far could be used{reason ? ' (of this reason)' : ''}.
          </EmptyState>
        ) : (
          <TableFrame label="Dead letters">
            <table className={tableClass}>
              <caption className="px-2 py-1 text-left text-xs text-muted">
                {`${total} dead letters, newest first`}
              </caption>
              <thead>
                <tr>
                  <th scope="col" className={th}>When</th>
                  <th scope="col" className={th}>Stage</th>
                  <th scope="col" className={th}>Reason</th>
                  <th scope="col" className={th}>Message</th>
                  <th scope="col" className={th}>Entry</th>
                  <th scope="col" className={th}>Replay</th>
                </tr>
              </thead>
              <tbody>
                {letters.data.items.map((letter) => (
                  <tr key={letter.id} className={rowClass} data-testid={`dead-letter-${letter.id}`}>
                    <td className={td}>{letter.at ? formatKickoff(letter.at) : '—'}</td>
                    <td className={td}>{letter.stage}</td>
                    <td className={td}>{letter.reason}</td>
                    <td className={`${td} whitespace-normal`}>{letter.message}</td>
                    <td className={`${td} max-w-xs truncate font-mono text-xs`} title={letter.payload}>
                      {letter.encoding === 'hex' ? 'hex ' : ''}
                      {letter.payload.slice(0, SHOWN)}
                      {letter.payload_length > SHOWN ? '…' : ''}
                    </td>
                    <td className={td}>
                      <ReplayCell
                        letter={letter}
                        outcome={outcomes.get(letter.id)}
                        busy={replay.isPending}
                        onReplay={() => replay.mutate([letter.id])}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableFrame>
        )}
        <InlineError message={replay.error?.message} />
        <div className="flex items-center gap-2 text-sm">
          <Button size="sm" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - DEAD_LETTERS_PAGE))}>
            Newer
          </Button>
          <Button
            size="sm"
            disabled={offset + DEAD_LETTERS_PAGE >= total}
            onClick={() => setOffset(offset + DEAD_LETTERS_PAGE)}
          >
            Older
          </Button>
          <span className="text-xs text-muted tabular-nums">
            {total === 0 ? '' : `${offset + 1}–${Math.min(offset + DEAD_LETTERS_PAGE, total)} of ${total}`}
          </span>
        </div>
      </div>
    </Panel>
  );
}
