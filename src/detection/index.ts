export { baselineStances, classifyItem, FOLLOW_UP_THRESHOLD } from './classify';
export { adaptProfile, coerceProfile, initialProfile, PROFILE_LIMITS, type StoryProfile } from './profile';
export {
  type BrokenStoryFile,
  type ConditionDefinition,
  DEFAULT_STORIES_DIR,
  loadStories,
  loadStory,
  type PartyDefinition,
  readStoryCatalog,
  readStoryFile,
  type StoryCatalog,
  type StoryDefinition,
  StoryValidationError,
  validateStory,
  type WeightedTerm,
} from './story';
