export type SortDirection = 'asc' | 'desc';

export interface SortState<K extends string> {
  key: K;
  direction: SortDirection;
}

/** A column header whose button sorts the table; `aria-sort` tells assistive tech the state. */
export function SortableHeader<K extends string>({
  label,
  sortKey,
  sort,
  onSort,
  className = '',
  align = 'left',
  hint,
}: {
  label: string;
  sortKey: K;
  sort: SortState<K>;
  onSort: (key: K) => void;
  className?: string;
  align?: 'left' | 'right';
  /** Read after the label by screen readers: what the column sorts by ("probability"). */
  hint?: string;
}) {
  const active = sort.key === sortKey;
  const ariaSort = active ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none';
  const arrow = active ? (sort.direction === 'asc' ? '▲' : '▼') : '↕';
  return (
    <th
      scope="col"
      aria-sort={ariaSort}
      className={`px-2 py-2 text-xs font-semibold uppercase tracking-wide whitespace-nowrap ${align === 'right' ? 'text-right' : 'text-left'} ${className}`}
    >
      <button
        type="button"
        onClick={() => onSort(sortKey)}
        className={`inline-flex items-center gap-1 rounded px-1 uppercase hover:text-ink ${active ? 'text-ink' : 'text-muted'}`}
      >
        {label}
        {hint ? <span className="sr-only"> {hint}</span> : null}
        <span aria-hidden="true" className="text-[10px]">
          {arrow}
        </span>
      </button>
    </th>
  );
}

/** The next state after a header click: a new column starts in `initial`, the same one flips. */
export function nextSort<K extends string>(
  current: SortState<K>,
  key: K,
  initial: SortDirection = 'asc',
): SortState<K> {
  if (current.key !== key) return { key, direction: initial };
  return { key, direction: current.direction === 'asc' ? 'desc' : 'asc' };
}
