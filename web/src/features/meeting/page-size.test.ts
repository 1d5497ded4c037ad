import { describe, expect, it } from 'vitest';
import { NARROW_PX, PAGE_SIZES, defaultPageSize, parsePageSize } from './page-size.js';

describe('tiles per page', () => {
  it('defaults to 25 on a desktop and to 4 below 600 px (a phone held upright)', () => {
    expect(defaultPageSize(1280)).toBe(25);
    expect(defaultPageSize(NARROW_PX)).toBe(25);
    expect(defaultPageSize(NARROW_PX - 1)).toBe(4);
    expect(defaultPageSize(390)).toBe(4);
  });

  it('reads back every choice it stores and nothing else', () => {
    for (const n of PAGE_SIZES) expect(parsePageSize(String(n))).toBe(n);
    for (const bad of [null, '', '0', '5', '49', '4.0', ' 4', 'x']) expect(parsePageSize(bad)).toBeNull();
  });
});
