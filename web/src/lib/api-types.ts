/**
 * The API's types under the names the dashboard uses. Every one comes from the generated
 * `src/client` (`npm run generate`), whose names follow the API's schema families
 * (`FixtureRead`, `BetCreate`, `PortfolioSettingsUpdate`...); nothing here is written by hand.
 */
import type {
  AdminStatusRead,
  AlertPage as AlertPageRead,
  AlertRead,
  AlertSettingsInput,
  AlertSettingsOutput,
  ApiKeyAdminRead,
  ApiKeyCreated,
  ApiKeyRead,
  BetCreate,
  BetHistoryRead,
  BetPageRead,
  BetRead,
  BoardPage as BoardPageRead,
  BoardRowRead,
  BoardSelection,
  BookmakerAccountCreate,
  BookmakerAccountRead,
  BookmakerAccountReportRead,
  CompetitionRead,
  FairRead,
  ConfidenceIntervalRead,
  Credentials,
  DeadLetterRead,
  ExposureRead,
  ExternalBetCreate,
  Figures,
  FixtureRead,
  FollowRead,
  IngestRead,
  LimitationCreate,
  LimitationRead,
  ModelHealthRead,
  ModelVersionRead,
  OddsRead,
  PerformanceRead,
  PortfolioCreate,
  PortfolioRead,
  PortfolioSettingsUpdate,
  PredictionRead,
  ReasonCountRead,
  RefitRead,
  ReplayOutcomeRead,
  ReliabilityBin,
  Role,
  RollingPoint,
  Scope,
  ScoreGridRead,
  SetupRead,
  ShadowClvRead,
  ShadowClvRowRead,
  UserCreate,
  UserRead,
  UserUpdate,
  ValueBetRead,
  WorkerRead,
} from '@/client/types.gen';

export type {
  ApiKeyCreated,
  BoardSelection,
  ConfidenceIntervalRead,
  Credentials,
  Figures,
  ReliabilityBin,
  Role,
  RollingPoint,
  Scope,
};

export type AdminKeyOut = ApiKeyAdminRead;
export type AdminStatus = AdminStatusRead;
export type Alert = AlertRead;
export type AlertPage = AlertPageRead;
export type AlertSettings = AlertSettingsOutput;
export type AlertSettingsIn = AlertSettingsInput;
export type ApiKeyOut = ApiKeyRead;
export type BetHistoryOut = BetHistoryRead;
export type BetIn = BetCreate;
export type BetOut = BetRead;
export type BetPageOut = BetPageRead;
export type BoardRow = BoardRowRead;
export type BoardPage = BoardPageRead;
export type Fair = FairRead;
export type FairMode = FairRead['mode'];
export type DevigMethod = FairRead['method'];
export type AccountIn = BookmakerAccountCreate;
export type AccountOut = BookmakerAccountRead;
export type AccountReport = BookmakerAccountReportRead;
export type ExternalBetIn = ExternalBetCreate;
export type LimitationIn = LimitationCreate;
export type LimitationOut = LimitationRead;
export type Competition = CompetitionRead;
export type DeadLetter = DeadLetterRead;
export type ExposureOut = ExposureRead;
export type Fixture = FixtureRead;
export type Follow = FollowRead;
export type IngestOut = IngestRead;
export type ModelHealth = ModelHealthRead;
export type ModelVersionOut = ModelVersionRead;
export type Odds = OddsRead;
export type PerformanceOut = PerformanceRead;
export type PortfolioIn = PortfolioCreate;
export type PortfolioOut = PortfolioRead;
export type PortfolioSettingsIn = PortfolioSettingsUpdate;
export type Prediction = PredictionRead;
export type ReasonCount = ReasonCountRead;
export type RefitState = RefitRead;
export type ReplayOutcome = ReplayOutcomeRead;
export type ScoreGridOut = ScoreGridRead;
export type SetupState = SetupRead;
export type ShadowClv = ShadowClvRead;
export type ShadowClvRow = ShadowClvRowRead;
export type UserChange = UserUpdate;
export type UserIn = UserCreate;
export type UserOut = UserRead;
export type WorkerOut = WorkerRead;
export type WorkerState = WorkerRead['state'];
export type ValueBet = ValueBetRead;

/** The shape every paginated answer shares (`Page_BoardRowRead_`, `Page_BetRead_`, ...). */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export type BoardMarket = BoardSelection['market'];
export type BoardSelectionName = BoardSelection['selection'];
