import type { ReactNode } from 'react';

/** A chart with its caption; `name` gives the `chart-{name}` test id. */
export function ChartFigure({
  name,
  caption,
  children,
  height = 'h-64',
}: {
  name: string;
  caption: ReactNode;
  children: ReactNode;
  height?: string;
}) {
  return (
    <figure data-testid={`chart-${name}`} className="m-0">
      <div className={`${height} w-full min-w-0`}>{children}</div>
      <figcaption className="mt-2 text-xs text-muted">{caption}</figcaption>
    </figure>
  );
}

/** Series colours, distinguishable on both themes. */
export const SERIES = {
  home: '#60a5fa',
  draw: '#f59e0b',
  away: '#f472b6',
  over: '#34d399',
  under: '#a78bfa',
  model: '#34d399',
  market: '#f59e0b',
  bankroll: '#60a5fa',
  profit: '#34d399',
  drawdown: '#f87171',
} as const;
