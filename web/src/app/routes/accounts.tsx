import { AccountsPage } from '@/features/accounts/components/accounts-page';

export function AccountsRoute() {
  return <AccountsPage />;
}
