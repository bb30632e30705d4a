import type { ReactNode } from 'react';

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
      <h1 className="text-xl font-semibold tracking-tight">{title}</h1>
      {children ? <div className="flex flex-wrap items-center gap-2">{children}</div> : null}
    </div>
  );
}

export function Panel({
  title,
  children,
  actions,
  className = '',
  headingLevel = 2,
}: {
  title?: string;
  children: ReactNode;
  actions?: ReactNode;
  className?: string;
  headingLevel?: 2 | 3;
}) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <section className={`min-w-0 rounded-lg border border-line bg-panel p-3 sm:p-4 ${className}`}>
      {title || actions ? (
        <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
          {title ? <Heading className="text-base font-semibold">{title}</Heading> : <span />}
          {actions}
        </div>
      ) : null}
      {children}
    </section>
  );
}

export function Badge({
  children,
  tone = 'neutral',
  testId,
}: {
  children: ReactNode;
  tone?: 'neutral' | 'up' | 'down' | 'warn' | 'accent';
  testId?: string;
}) {
  const tones = {
    neutral: 'border-line text-muted',
    up: 'border-up text-up',
    down: 'border-down text-down',
    warn: 'border-warn text-warn',
    accent: 'border-accent text-accent',
  } as const;
  return (
    <span
      data-testid={testId}
      className={`inline-flex items-center rounded border px-1.5 py-0.5 text-xs font-medium ${tones[tone]}`}
    >
      {children}
    </span>
  );
}

/** A horizontally scrolling frame for wide tables on narrow screens. */
export function TableFrame({ children, label }: { children: ReactNode; label: string }) {
  return (
    // A focusable scroll region is reachable by keyboard (axe: scrollable-region-focusable).
    // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
    <div className="table-frame relative overflow-x-auto rounded-md border border-line" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}

export const th = 'px-2 py-2 text-left text-xs font-semibold uppercase tracking-wide text-muted whitespace-nowrap';
export const td = 'px-2 py-1.5 text-sm tabular-nums whitespace-nowrap';
export const tableClass = 'min-w-full border-collapse bg-panel';
export const rowClass = 'border-t border-line hover:bg-panel-2';
