import type { Command } from '../command';
import { classifyCommand } from './classify';
import { demoCommand } from './demo';
import { fetchCommand } from './fetch';
import { replayCommand } from './replay';
import { reportCommand } from './report';
import { runCommand } from './run';

/** Every CLI command; add a new one by importing it here. */
export const commands: Command[] = [
  classifyCommand,
  fetchCommand,
  demoCommand,
  replayCommand,
  reportCommand,
  runCommand,
];
