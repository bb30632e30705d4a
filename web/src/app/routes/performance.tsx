import { PerformancePage } from '@/features/performance/components/performance-page';

export function PerformanceRoute() {
  return <PerformancePage />;
}
