import type { Alert } from '../core/stance-state';

export interface AlertDescription {
  partyName: string;
  storyTitle: string;
}

export type AlertDescriber = (alert: Alert) => AlertDescription;

interface DescribableStory {
  id: string;
  title: string;
  parties: { id: string; name: string }[];
}

/** Names from the story definitions; ids stand in for stories or parties it does not know. */
export function createAlertDescriber(stories: DescribableStory[] = []): AlertDescriber {
  return (alert) => {
    const story = stories.find((candidate) => candidate.id === alert.storyId);
    const party = story?.parties.find((candidate) => candidate.id === alert.party);
    return { partyName: party?.name ?? capitalize(alert.party), storyTitle: story?.title ?? alert.storyId };
  };
}

function capitalize(value: string): string {
  return value.length === 0 ? value : `${value[0]?.toUpperCase()}${value.slice(1)}`;
}
