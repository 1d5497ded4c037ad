import { describe, expect, it } from 'vitest';
import en from './locales/en.json' with { type: 'json' };
import zhHans from './locales/zh-Hans.json' with { type: 'json' };
import zhHant from './locales/zh-Hant.json' with { type: 'json' };
import { detectLanguage } from './detect.js';

type Tree = { [k: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}

const vars = (s: string): string[] => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1] ?? '').sort();

const catalogs = { 'zh-Hant': zhHant as Tree, 'zh-Hans': zhHans as Tree };
const base = flatten(en);

describe('translation catalogs', () => {
  for (const [name, tree] of Object.entries(catalogs)) {
    const other = flatten(tree);
    it(`${name} has every key that en has`, () => {
      expect([...base.keys()].filter((k) => !other.has(k))).toEqual([]);
    });
    it(`en has every key that ${name} has`, () => {
      expect([...other.keys()].filter((k) => !base.has(k))).toEqual([]);
    });
    it(`${name} uses the same {{placeholders}} as en in every string`, () => {
      const mismatched = [...base].filter(([k, v]) => other.has(k) && vars(v).join() !== vars(other.get(k) ?? '').join());
      expect(mismatched.map(([k]) => k)).toEqual([]);
    });
    it(`${name} has no empty strings`, () => {
      expect([...other].filter(([, v]) => v.trim() === '').map(([k]) => k)).toEqual([]);
    });
  }
});

describe('detectLanguage', () => {
  it.each([
    [['zh-TW'], 'zh-Hant'],
    [['zh-HK', 'en'], 'zh-Hant'],
    [['zh-MO'], 'zh-Hant'],
    [['zh-Hant-US'], 'zh-Hant'],
    [['zh-CN'], 'zh-Hans'],
    [['zh-SG'], 'zh-Hans'],
    [['zh-Hans-HK'], 'zh-Hans'],
    [['zh'], 'zh-Hans'],
    [['en-US', 'zh-TW'], 'en'],
    [['fr-FR'], 'en'],
    [[], 'en'],
  ] as const)('maps %j to %s', (langs, expected) => {
    expect(detectLanguage(langs, null)).toBe(expected);
  });
  it('prefers the remembered choice over the browser', () => {
    expect(detectLanguage(['zh-TW'], 'en')).toBe('en');
    expect(detectLanguage(['en-US'], 'zh-Hans')).toBe('zh-Hans');
  });
  it('ignores a remembered value that is not a supported language', () => {
    expect(detectLanguage(['zh-TW'], 'klingon')).toBe('zh-Hant');
  });
});
