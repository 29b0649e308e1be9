import type { Command } from '../command';
import { classifyCommand } from './classify';
import { fetchCommand } from './fetch';

/** Every CLI command; add a new one by importing it here. */
export const commands: Command[] = [classifyCommand, fetchCommand];
