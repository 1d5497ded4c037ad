import { describe, expect, it } from 'vitest';
import { NackGenerator } from './nack-generator.js';

describe('NackGenerator', () => {
  it('asks for each missing sequence number once at first, again after the retry interval, at most 3 times', () => {
    const g = new NackGenerator();
    g.onPacket(100, 0);
    expect(g.onPacket(103, 10)).toBe(true);
    expect(g.due(10, 100)).toEqual([101, 102]);
    expect(g.due(50, 100)).toEqual([]);
    expect(g.due(120, 100)).toEqual([101, 102]);
    expect(g.due(230, 100)).toEqual([101, 102]);
    expect(g.due(340, 100)).toEqual([]);
    expect(g.asked).toBe(6);
  });

  it('stops asking for what arrived and counts it recovered', () => {
    const g = new NackGenerator();
    g.onPacket(65534, 0);
    g.onPacket(2, 1); // across the wrap: 65535, 0, 1 missing
    expect(g.due(1, 100)).toEqual([65535, 0, 1]);
    g.onPacket(0, 20);
    expect(g.recovered).toBe(1);
    expect(g.due(200, 100)).toEqual([65535, 1]);
  });

  it('treats a jump wider than a burst as a restart, not as 30,000 losses', () => {
    const g = new NackGenerator();
    g.onPacket(1, 0);
    expect(g.onPacket(30_000, 1)).toBe(false);
    expect(g.outstanding).toBe(0);
  });

  it('forgets asks older than a second', () => {
    const g = new NackGenerator();
    g.onPacket(1, 0);
    g.onPacket(5, 0);
    g.due(0, 100);
    expect(g.due(1500, 100)).toEqual([]);
    expect(g.outstanding).toBe(0);
  });
});
