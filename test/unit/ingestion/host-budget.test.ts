import { describe, expect, it } from 'vitest';
import { HostBudget, hostOf } from '../../../src/ingestion/host-budget';

const START = Date.parse('2026-05-04T06:00:00Z');
const at = (minutes: number) => new Date(START + minutes * 60_000);

describe('HostBudget', () => {
  it('refuses a request once the host had its budget within the sliding hour', () => {
    const budget = new HostBudget(3);
    expect(budget.tryTake('a.example', at(0))).toBe(true);
    expect(budget.tryTake('a.example', at(10))).toBe(true);
    expect(budget.tryTake('a.example', at(20))).toBe(true);
    expect(budget.tryTake('a.example', at(30))).toBe(false);
    expect(budget.used('a.example', at(30))).toBe(3);
    // Other hosts have their own budget.
    expect(budget.tryTake('b.example', at(30))).toBe(true);
  });

  it('names the moment the oldest request leaves the window as the next slot', () => {
    const budget = new HostBudget(2);
    budget.tryTake('a.example', at(0));
    budget.tryTake('a.example', at(5));
    expect(budget.nextSlot('a.example', at(30)).getTime()).toBe(at(60).getTime());
    expect(budget.tryTake('a.example', at(59.9))).toBe(false);
    expect(budget.tryTake('a.example', at(60))).toBe(true);
    expect(budget.nextSlot('fresh.example', at(30)).getTime()).toBe(at(30).getTime());
  });

  it('survives a round trip through its snapshot', () => {
    const budget = new HostBudget(2);
    budget.tryTake('a.example', at(0));
    budget.tryTake('a.example', at(1));
    const restored = new HostBudget(2, JSON.parse(JSON.stringify(budget.toJSON())));
    expect(restored.tryTake('a.example', at(2))).toBe(false);
    expect(restored.used('a.example', at(2))).toBe(2);
  });

  it('rejects a budget that is not a whole number of requests', () => {
    expect(() => new HostBudget(0)).toThrow(RangeError);
    expect(() => new HostBudget(1.5)).toThrow(RangeError);
  });
});

describe('hostOf', () => {
  it('lower-cases the host name and keeps non-URLs as their own key', () => {
    expect(hostOf('https://Feeds.Example.org/rss?x=1')).toBe('feeds.example.org');
    expect(hostOf('not a url')).toBe('not a url');
  });
});
