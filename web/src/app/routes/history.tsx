import { HistoryPage } from '@/features/bets/components/history-page';

export function HistoryRoute() {
  return <HistoryPage />;
}
