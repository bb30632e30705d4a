import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';

import { LiveStatus } from '@/components/live-status';
import { Button } from '@/components/ui/button';
import { SelectField, TextField } from '@/components/ui/field';
import { PageHeader } from '@/components/ui/layout';
import { nextSort, type SortState } from '@/components/ui/sortable-header';
import { EmptyState, ErrorState, Spinner } from '@/components/ui/states';
import { useCompetitions, usePortfolios } from '@/lib/queries';
import {
  asDevigMethod,
  asFairMode,
  BOARD_PAGE_SIZE,
  DEVIG_METHODS,
  FAIR_MODES,
  useBoard,
} from '@/features/board/api/board';
import {
  filterByEdge,
  parseMinEdge,
  sortRows,
  visibleSlots,
  type BoardSortKey,
  type MarketFilter,
} from '@/features/board/api/board-view';
import { useBoardLive } from '@/features/board/api/use-board-live';
import { ShortcutsDialog, useBoardKeys } from './board-keys';
import { BoardTable, type BetIntent } from './board-table';

const MARKETS: { value: MarketFilter; label: string }[] = [
  { value: 'all', label: 'All markets' },
  { value: '1x2', label: '1X2' },
  { value: 'over_under', label: 'Over/Under 2.5' },
];

function asMarket(value: string | null): MarketFilter {
  return value === '1x2' || value === 'over_under' ? value : 'all';
}

export interface LiveBoardProps {
  /** Called with the chosen selection and the portfolio picked for stakes (if any). */
  onBet?: (intent: BetIntent, portfolioId: number | null) => void;
}

export function LiveBoard({ onBet }: LiveBoardProps) {
  const [params, setParams] = useSearchParams();
  const competition = params.get('competition') ?? '';
  const market = asMarket(params.get('market'));
  const minEdgeText = params.get('min_edge') ?? '';
  const portfolioText = params.get('portfolio') ?? '';
  const portfolioId = portfolioText ? Number(portfolioText) : undefined;
  const offset = Math.max(0, Number(params.get('offset') ?? 0) || 0);
  const fairMode = asFairMode(params.get('fair'));
  const devig = asDevigMethod(params.get('devig'));
  const [sort, setSort] = useState<SortState<BoardSortKey>>({ key: 'kickoff', direction: 'asc' });

  const competitions = useCompetitions();
  const portfolios = usePortfolios();
  const board = useBoard({
    competition: competition || undefined,
    portfolioId,
    offset,
    fair: fairMode,
    devig,
  });
  const fair = board.data?.fair;

  const update = (key: string, value: string) => {
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value) next.set(key, value);
        else next.delete(key);
        if (key !== 'offset') next.delete('offset');
        return next;
      },
      { replace: true },
    );
  };

  const rows = useMemo(() => board.data?.items ?? [], [board.data]);
  const shownCompetitions = useMemo(
    () => (competition ? [competition] : [...new Set(rows.map((row) => row.competition))].sort()),
    [competition, rows],
  );
  const flashes = useBoardLive(shownCompetitions);

  const slots = useMemo(() => visibleSlots(market), [market]);
  const minEdge = parseMinEdge(minEdgeText);
  const shown = useMemo(
    () => sortRows(filterByEdge(rows, slots, minEdge), sort, slots),
    [rows, slots, minEdge, sort],
  );
  const portfolio = portfolios.data?.items.find((item) => item.id === portfolioId);
  const noModel = rows.length > 0 && rows.every((row) => row.prediction_id === null);
  const total = board.data?.total ?? 0;
  const handBet = onBet ? (intent: BetIntent) => onBet(intent, portfolioId ?? null) : undefined;
  const keys = useBoardKeys(shown, slots, handBet, minEdge);

  return (
    <>
      <PageHeader title="Live board">
        <Button size="sm" variant="ghost" onClick={keys.openHelp} aria-keyshortcuts="?">
          Shortcuts <kbd className="font-mono">?</kbd>
        </Button>
        <LiveStatus />
      </PageHeader>
      {keys.helpOpen ? <ShortcutsDialog onClose={keys.closeHelp} /> : null}

      <form
        role="search"
        aria-label="Board filters"
        className="mb-3 grid grid-cols-2 gap-2 sm:grid-cols-6"
        onSubmit={(event) => event.preventDefault()}
      >
        <SelectField
          label="Competition"
          value={competition}
          onChange={(event) => update('competition', event.target.value)}
        >
          <option value="">All competitions</option>
          {competitions.data?.items.map((item) => (
            <option key={item.code} value={item.code}>
              {item.name} ({item.code})
            </option>
          ))}
        </SelectField>
        <SelectField label="Market" value={market} onChange={(event) => update('market', event.target.value === 'all' ? '' : event.target.value)}>
          {MARKETS.map((item) => (
            <option key={item.value} value={item.value}>
              {item.label}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Minimum edge (%)"
          type="number"
          inputMode="decimal"
          step="0.5"
          placeholder="any"
          value={minEdgeText}
          onChange={(event) => update('min_edge', event.target.value)}
        />
        <SelectField
          label="Stakes for portfolio"
          value={portfolioText}
          onChange={(event) => update('portfolio', event.target.value)}
        >
          <option value="">None</option>
          {portfolios.data?.items.map((item) => (
            <option key={item.id} value={String(item.id)}>
              {item.name} ({item.currency})
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Fair price"
          value={fairMode ?? fair?.mode ?? ''}
          onChange={(event) => update('fair', event.target.value)}
        >
          {FAIR_MODES.map((item) => (
            <option key={item.value} value={item.value}>
              {item.label}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="De-margin method"
          value={devig ?? fair?.method ?? ''}
          disabled={(fairMode ?? fair?.mode) === 'model'}
          onChange={(event) => update('devig', event.target.value)}
        >
          {DEVIG_METHODS.map((item) => (
            <option key={item.value} value={item.value}>
              {item.label}
            </option>
          ))}
        </SelectField>
      </form>
      {fair ? (
        <p className="mb-3 text-sm text-muted" aria-live="polite">
          Edges measured against <span data-testid="fair-label">{fair.label}</span>
        </p>
      ) : null}

      {board.isPending ? (
        <Spinner label="Loading the board…" />
      ) : board.isError ? (
        <ErrorState error={board.error} title="Could not load the board" />
      ) : total === 0 ? (
        <EmptyState title="No upcoming fixtures">
          {competition
            ? `Nothing is scheduled in ${competition}. Load fixtures or pick another competition.`
            : 'No fixture is scheduled yet. Fixtures appear here once their odds are ingested.'}
        </EmptyState>
      ) : (
        <>
          {noModel ? (
            <p role="status" className="mb-3 rounded-md border border-warn p-2 text-sm text-warn">
              No active model: probabilities, fair odds and edges appear once a model has been
              trained and activated (Admin → Refit model).
            </p>
          ) : null}
          {shown.length === 0 ? (
            <EmptyState title="No fixture matches the filters">
              {rows.length} fixture{rows.length === 1 ? '' : 's'} on this page, none with an edge of{' '}
              {minEdgeText}% or more in the shown market.
            </EmptyState>
          ) : (
            <BoardTable
              rows={shown}
              slots={slots}
              sort={sort}
              onSort={(key) => setSort((current) => nextSort(current, key, key === 'kickoff' || key === 'match' ? 'asc' : 'desc'))}
              flashes={flashes}
              currency={portfolio?.currency ?? null}
              onBet={handBet}
              active={keys.active}
              minEdge={minEdge}
            />
          )}
          <div className="mt-3 flex flex-wrap items-center justify-between gap-2 text-sm text-muted">
            <span>
              Showing {shown.length} of {total} fixtures
              {board.isFetching ? ' · updating…' : ''}
            </span>
            {total > BOARD_PAGE_SIZE ? (
              <span className="flex gap-2">
                <Button
                  size="sm"
                  disabled={offset === 0}
                  onClick={() => update('offset', String(Math.max(0, offset - BOARD_PAGE_SIZE)))}
                >
                  Previous page
                </Button>
                <Button
                  size="sm"
                  disabled={offset + BOARD_PAGE_SIZE >= total}
                  onClick={() => update('offset', String(offset + BOARD_PAGE_SIZE))}
                >
                  Next page
                </Button>
              </span>
            ) : null}
          </div>
        </>
      )}
    </>
  );
}
