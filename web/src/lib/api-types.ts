/**
 * The API's types under the names the dashboard uses. Every one comes from the generated
 * `src/client` (`npm run generate`); nothing here is written by hand.
 */
import type {
  AdminKeyOut,
  AdminStatus,
  ApiKeyCreated,
  ApiKeyOut,
  BetIn,
  BetOut,
  BoardRow,
  BoardSelection,
  Competition,
  Credentials,
  ExposureOut,
  Figures,
  Fixture,
  IngestOut,
  ModelHealth,
  ModelVersionOut,
  Odds,
  PerformanceOut,
  PortfolioIn,
  PortfolioOut,
  PortfolioSettingsIn,
  Prediction,
  RefitState,
  ReliabilityBin,
  Role,
  RollingPoint,
  Scope,
  ScoreGridOut,
  SetupState,
  UserChange,
  UserIn,
  UserOut,
  ValueBet,
} from '@/client/types.gen';

export type {
  AdminKeyOut,
  AdminStatus,
  ApiKeyCreated,
  ApiKeyOut,
  BetIn,
  BetOut,
  BoardRow,
  BoardSelection,
  Competition,
  Credentials,
  ExposureOut,
  Figures,
  Fixture,
  IngestOut,
  ModelHealth,
  ModelVersionOut,
  Odds,
  PerformanceOut,
  PortfolioIn,
  PortfolioOut,
  PortfolioSettingsIn,
  Prediction,
  RefitState,
  ReliabilityBin,
  Role,
  RollingPoint,
  Scope,
  ScoreGridOut,
  SetupState,
  UserChange,
  UserIn,
  UserOut,
  ValueBet,
};

/** The shape every paginated answer shares (`PageBoardRow`, `PageBetOut`, ...). */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export type BoardMarket = BoardSelection['market'];
export type BoardSelectionName = BoardSelection['selection'];
