/**
 * Socket.IO payloads. These travel over the socket, not REST, so the OpenAPI document does
 * not describe them; the shapes follow the gateway's realtime bridge.
 */
import type { AlertRead } from '@/client/types.gen';

export type LiveMarket = '1x2' | 'over_under' | 'asian_handicap';
export type PriceKey = 'home' | 'draw' | 'away' | 'over' | 'under';

export interface OddsUpdate {
  fixture_id: number;
  competition: string;
  bookmaker: string;
  market: LiveMarket;
  line: string | null;
  kind: 'prematch' | 'closing';
  prices: Partial<Record<PriceKey, string>>;
  captured_at: string;
  received_at: string;
}

export interface PredictionMarkets {
  '1x2'?: number[];
  over_under?: Record<string, number[]>;
  asian_handicap_fair_odds?: Record<string, unknown>;
  btts_yes?: number;
  [key: string]: unknown;
}

export interface PredictionUpdate {
  fixture_id: number;
  competition: string;
  odds_id: number | null;
  model: string;
  version: string;
  probabilities: number[];
  markets: PredictionMarkets | null;
  feature_hash: string | null;
  received_at: string;
  predicted_at: string;
}

export interface BetSettled {
  bet_id: number;
  portfolio_id: number;
  fixture_id: number;
  outcome: string | null;
  payout_minor: number | null;
  profit_minor: number;
}

/** `alert:new` carries the body `GET /alerts` lists (`AlertRead`), so the OpenAPI type is it. */
export type AlertNew = AlertRead;
