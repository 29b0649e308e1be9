import { describe, expect, it } from 'vitest';
import { type ClaimLookup, planClaims, resolveLaterEntry, resultOfStoredRow } from '../../../src/core/claim-plan';

const nothingStored: ClaimLookup = { items: new Map(), markers: new Map() };
const entry = (itemId: string, ...dedupKeys: string[]) => ({ itemId, dedupKeys: [`id:${itemId}`, ...dedupKeys] });

describe('planClaims', () => {
  it('claims every entry of a batch whose keys nothing holds', () => {
    expect(planClaims([entry('a', 'link:1'), entry('b', 'link:2')], nothingStored)).toEqual([
      { kind: 'claim' },
      { kind: 'claim' },
    ]);
  });

  it('gives a shared key to the first entry of the batch; later entries wait for its outcome', () => {
    const plan = planClaims([entry('a', 'link:1'), entry('b', 'link:1'), entry('a')], nothingStored);
    expect(plan).toEqual([{ kind: 'claim' }, { kind: 'later', winner: 0 }, { kind: 'later', winner: 0 }]);
  });

  it('links an entry to the stored item holding one of its keys, and holds only its own id for later copies', () => {
    const lookup: ClaimLookup = { items: new Map(), markers: new Map([['link:1', 'wire']]) };
    const plan = planClaims([entry('copy', 'link:1'), entry('copy', 'link:1'), entry('other', 'link:1')], lookup);
    expect(plan).toEqual([
      { kind: 'alias', canonicalId: 'wire' },
      { kind: 'later', winner: 0 },
      { kind: 'alias', canonicalId: 'wire' },
    ]);
  });

  it('lets the stored row of the item itself decide before any key', () => {
    const lookup: ClaimLookup = {
      items: new Map([
        ['done', { canonicalId: 'done', analyzed: true }],
        ['open', { canonicalId: 'open', analyzed: false }],
      ]),
      markers: new Map([['link:1', 'someone-else']]),
    };
    expect(planClaims([entry('done', 'link:1'), entry('open', 'link:1')], lookup)).toEqual([
      { kind: 'known', result: { status: 'duplicate', canonicalId: 'done' } },
      { kind: 'known', result: { status: 'unfinished' } },
    ]);
  });
});

describe('resultOfStoredRow', () => {
  it('reads an alias as a duplicate of its canonical item, analysed or not', () => {
    expect(resultOfStoredRow('copy', { canonicalId: 'wire', analyzed: false })).toEqual({
      status: 'duplicate',
      canonicalId: 'wire',
    });
  });

  it('reads an own row never analysed as unfinished, and an analysed one as a duplicate of itself', () => {
    expect(resultOfStoredRow('a', { canonicalId: 'a', analyzed: false })).toEqual({ status: 'unfinished' });
    expect(resultOfStoredRow('a', { canonicalId: 'a', analyzed: true })).toEqual({
      status: 'duplicate',
      canonicalId: 'a',
    });
  });
});

describe('resolveLaterEntry', () => {
  it('makes the same item a duplicate of a new winner, and links another item to it', () => {
    expect(resolveLaterEntry('a', 'a', { status: 'new' })).toEqual({
      kind: 'result',
      result: { status: 'duplicate', canonicalId: 'a' },
    });
    expect(resolveLaterEntry('b', 'a', { status: 'new' })).toEqual({ kind: 'alias', canonicalId: 'a' });
  });

  it('shares the outcome of a winner that is the same item and turned out a duplicate', () => {
    const outcome = { status: 'duplicate', canonicalId: 'wire' } as const;
    expect(resolveLaterEntry('a', 'a', outcome)).toEqual({ kind: 'result', result: outcome });
  });

  it('claims on its own when the winner lost its claim to another writer', () => {
    expect(resolveLaterEntry('b', 'a', { status: 'duplicate', canonicalId: 'elsewhere' })).toEqual({
      kind: 'claim',
    });
    expect(resolveLaterEntry('b', 'a', { status: 'unfinished' })).toEqual({ kind: 'claim' });
  });
});
