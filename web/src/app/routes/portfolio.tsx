import { PortfolioPage } from '@/features/portfolio/components/portfolio-page';

export function PortfolioRoute() {
  return <PortfolioPage />;
}
