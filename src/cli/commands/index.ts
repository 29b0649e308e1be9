import type { Command } from '../command';
import { alertsCommand } from './alerts';
import { articlesCommand } from './articles';
import { classifyCommand } from './classify';
import { demoCommand } from './demo';
import { digestCommand } from './digest';
import { fetchCommand } from './fetch';
import { historyCommand } from './history';
import { replayCommand } from './replay';
import { reportCommand } from './report';
import { runCommand } from './run';
import { serveCommand } from './serve';
import { stancesCommand } from './stances';
import { storyCommand } from './story';

/** Every CLI command; add a new one by importing it here. */
export const commands: Command[] = [
  classifyCommand,
  fetchCommand,
  demoCommand,
  replayCommand,
  reportCommand,
  runCommand,
  serveCommand,
  stancesCommand,
  historyCommand,
  articlesCommand,
  alertsCommand,
  digestCommand,
  storyCommand,
];
