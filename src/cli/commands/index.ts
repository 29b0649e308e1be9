import type { Command } from '../command';
import { fetchCommand } from './fetch';

/** Every CLI command; add a new one by importing it here. */
export const commands: Command[] = [fetchCommand];
