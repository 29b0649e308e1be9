import type { Command } from '../command';

/** Every CLI command; add a new one by importing it here. */
export const commands: Command[] = [];
