import { describe, expect, it } from 'vitest';
import { infrastructureSet, judgeMediaPath } from './media-evidence.js';
import type { Location } from './types.js';

const db = { name: 'test', buildDate: '2026-01-01' };
const table: Record<string, string> = { '114.114.114.114': 'CN', '203.0.113.9': 'TW', '8.8.8.8': 'US', '198.51.100.7': 'CN' };
const locate = (address: string): Location =>
  address.startsWith('10.') || address.startsWith('192.168.')
    ? { country: null, status: 'unknown', reason: 'private-range', address, database: db }
    : { country: table[address] ?? null, status: table[address] ? 'known' : 'unknown', address, database: db };

describe('the one media-path evidence rule', () => {
  const none = infrastructureSet([], []);

  it('never takes a relay candidate as evidence, whatever country its address maps to', () => {
    expect(judgeMediaPath({ address: '114.114.114.114', candidateType: 'relay' }, { country: 'TW' }, none, locate)).toEqual({
      kind: 'ignored',
      reason: 'relay',
    });
  });

  it('ignores the configured ICE servers and MEDIA_IGNORE_CIDRS, even as host or srflx candidates', () => {
    const infra = infrastructureSet(['turn:114.114.114.114:3478?transport=udp', 'turns:turn.example.org:443', 'stun:[2001:db8::1]:3478'], ['198.51.100.0/24']);
    expect(judgeMediaPath({ address: '114.114.114.114', candidateType: 'srflx' }, { country: 'TW' }, infra, locate).kind).toBe('ignored');
    expect(judgeMediaPath({ address: '198.51.100.7', candidateType: 'host' }, { country: 'TW' }, infra, locate).kind).toBe('ignored');
    expect(judgeMediaPath({ address: '2001:db8::1', candidateType: 'prflx' }, { country: 'TW' }, infra, locate).kind).toBe('ignored');
  });

  it('ignores private and invalid addresses', () => {
    expect(judgeMediaPath({ address: '10.1.2.3', candidateType: 'host' }, { country: 'TW' }, none, locate)).toEqual({
      kind: 'ignored',
      reason: 'private-range',
    });
    expect(judgeMediaPath({ address: 'not-an-ip', candidateType: 'host' }, { country: 'TW' }, none, locate)).toEqual({
      kind: 'ignored',
      reason: 'invalid-address',
    });
  });

  it('reports a public address in another country as a disagreement (which callers never act on)', () => {
    expect(judgeMediaPath({ address: '114.114.114.114', candidateType: 'srflx' }, { country: 'TW' }, none, locate)).toEqual({
      kind: 'disagrees',
      country: 'CN',
      current: 'TW',
    });
    expect(judgeMediaPath({ address: '203.0.113.9', candidateType: 'srflx' }, { country: 'TW' }, none, locate)).toEqual({ kind: 'agrees', country: 'TW' });
  });
});
