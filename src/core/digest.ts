/** One stance change of the day, as every channel shows it. */
export interface DigestChange {
  /** "Russia: conditional → opposes". */
  headline: string;
  severity: string;
  quote: string;
  source: string;
  link: string | null;
}

export interface DigestFollowUp {
  title: string;
  summary: string;
  source: string;
  link: string | null;
  /** The sentence carrying the party's stance, when the follow-up is listed under a party. */
  quote: string | null;
}

export interface DigestParty {
  id: string;
  name: string;
  /** The stance when the digest was made: supports / conditional / opposes / none. */
  stance: string;
  changes: DigestChange[];
  /** Changes of the day left out to keep the message within the channel's limits. */
  moreChanges: number;
  followUps: DigestFollowUp[];
  /** Follow-ups of the day left out to keep the message short. */
  moreFollowUps: number;
}

export interface DigestStory {
  id: string;
  title: string;
  parties: DigestParty[];
  /** Follow-ups of the day that carry no stance of a listed party. */
  otherFollowUps: DigestFollowUp[];
  moreOtherFollowUps: number;
}

/** One channel's message for one UTC day: what changed and what was reported, per story and party. */
export interface Digest {
  /** `digest:<day>`: keys the channel's delivery state and is the webhook's Idempotency-Key. */
  id: string;
  /** YYYY-MM-DD, UTC. */
  day: string;
  stories: DigestStory[];
}
