import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError, ERROR_CATALOG, ERROR_CODES, toAppError } from './errors.js';

describe('the error catalog', () => {
  it('documents every code in docs/errors.md', () => {
    const doc = fs.readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
    // A row per code, however the table's columns are padded.
    const missing = ERROR_CODES.filter((c) => !new RegExp(`^\\|\\s*\`${c}\`\\s*\\|`, 'm').test(doc));
    expect(missing).toEqual([]);
  });

  it('gives every code a 4xx/5xx status and a 4xxx close code', () => {
    for (const [code, e] of Object.entries(ERROR_CATALOG)) {
      expect(e.http >= 400 && e.http < 600, code).toBe(true);
      expect(e.ws >= 4000 && e.ws < 5000, code).toBe(true);
    }
  });

  it('turns unknown throwables into INTERNAL without leaking their message', () => {
    const e = toAppError(new Error('secret path /etc/x'));
    expect(e.code).toBe('INTERNAL');
    expect(e.message).not.toContain('secret');
    expect(toAppError(new AppError('NOT_HOST')).code).toBe('NOT_HOST');
  });
});
