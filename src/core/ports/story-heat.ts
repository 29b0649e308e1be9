/**
 * The story's heat: follow-ups confirmed across all feeds in the last hour. The analyzer notes each follow-up it
 * confirms; the poller and the analyzer read the count to decide whether hot feeds go to the summit interval.
 * Noted by item id, so a redelivered batch that confirms the same follow-ups again counts them once.
 */
export interface StoryHeat {
  /** Notes these follow-ups (a repeat of a known item id changes nothing); the count within the hour before `now`. */
  recordFollowUps(itemIds: string[], now: string): Promise<number>;
  /** Follow-ups noted within the hour before `now`. */
  followUpsInLastHour(now: string): Promise<number>;
}
