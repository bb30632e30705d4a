import { ModelHealthPage } from '@/features/model-health/components/model-health-page';

export function ModelHealthRoute() {
  return <ModelHealthPage />;
}
