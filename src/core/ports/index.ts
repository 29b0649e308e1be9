import type { ChannelDeliveries, DigestDeliveries } from './channels';
import type { FeedStates } from './feed-states';
import type { FollowUps } from './follow-ups';
import type { ItemClaims } from './item-claims';
import type { Outbox } from './outbox';
import type { ReadModel } from './read-model';
import type { Readings } from './readings';
import type { StanceLedger } from './stance-ledger';

export type {
  AlertChannel,
  ChannelDeliveries,
  ChannelDelivery,
  DeliveryStatus,
  DigestChannel,
  DigestDeliveries,
} from './channels';
export { type Clock, systemClock } from './clock';
export type { DueEntry, DueFeeds, DueRead } from './due-feeds';
export type { FeedFetcher } from './feed-fetcher';
export type { FeedStates } from './feed-states';
export type { FollowUps, StoredProfile } from './follow-ups';
export type { HostGrant, HostRequestBudget, RequestPriority } from './host-budget';
export type { ClaimRequest, ClaimResult, ItemClaims } from './item-claims';
export { type AlertNotifier, ChannelsPendingError, DeliveryDeferredError, UndeliverableError } from './notifier';
export type { Outbox } from './outbox';
export type { FeedQueue, ItemQueue } from './queues';
export type { PartyArticle, ReadModel } from './read-model';
export type { Reader, Reading } from './reader';
export {
  type BudgetGrant,
  type BudgetLimits,
  budgetDay,
  grantableItems,
  hasBudgetLimit,
  NOTHING_GRANTED,
  NOTHING_SPENT,
  type ReadingBudget,
  reservedTokens,
  type TokenEstimate,
} from './reading-budget';
export type { ReadingKey, Readings, StoredReading } from './readings';
export type { SiteDocument, SitePublisher, SitePublishReport, StaleSite, StaleSites } from './site';
export type { StanceCommit, StanceHistoryEntry, StanceHistoryRecord, StanceLedger } from './stance-ledger';
export type { StoryHeat } from './story-heat';

/**
 * Every storage port one table provides. Wiring builds it once (DynamoDB in Lambda, dynalite locally); each
 * use-case asks only for the ports it uses, so a test or a new adapter can supply just those.
 */
export type StoryStore = FeedStates &
  ItemClaims &
  FollowUps &
  StanceLedger &
  Outbox &
  ChannelDeliveries &
  DigestDeliveries &
  ReadModel &
  Readings;
