export {
  type AddressCandidate,
  type AddressClass,
  type AddressPolicy,
  classifyIpAddress,
  type HostResolver,
  type ResolvedAddress,
  systemResolver,
} from './address-guard';
export { decodeFeedBody, detectCharset } from './decode';
export { itemDedupKeys, normalizeTitleForDedup } from './dedup';
export { classifyError, FeedError, type FeedErrorDetails } from './errors';
export { createHttpFeedFetcher, type FeedDocumentResult, type FetcherDeps, fetchFeedDocument } from './fetcher';
export { canonicalLink, safeHttpLink } from './links';
export { DEFAULT_FETCH_OPTIONS, DEFAULT_USER_AGENT, type FetchOptions, resolveFetchOptions } from './options';
export { type ParsedFeedDocument, type ParsedFeedInfo, parseFeedDocument } from './parse';
export {
  backoffIntervalSec,
  initialFeedState,
  isFeedDue,
  parseCacheMaxAge,
  parseRetryAfter,
  stateAfterFailure,
  stateAfterSuccess,
  successIntervalSec,
} from './politeness';
export { DEFAULT_FEED_REGISTRY_PATH, FeedRegistryError, loadFeedRegistry, validateFeedRegistry } from './registry';
