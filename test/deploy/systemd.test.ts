/**
 * deploy/systemd/parley.service: valid for systemd (`systemd-analyze verify`, no warnings), with
 * the hardening the issue lists, and an exposure score from `systemd-analyze security` that a
 * weakened copy of the same unit does not reach (so the check can fail). Skips only when
 * systemd-analyze cannot be installed here.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, services } from './services.js';

const UNIT = path.join(root, 'deploy/systemd/parley.service');
const svc = await services();
const analyze = svc.ensureSystemdAnalyze();
if (!analyze) console.warn("SKIPPED: systemd-analyze (Debian's systemd package) is not available here.");

/** `key=value` lines of the [Service] section. */
function serviceSettings(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) section = line;
    else if (section === '[Service]' && line && !line.startsWith('#')) {
      const eq = line.indexOf('=');
      out.set(line.slice(0, eq), [...(out.get(line.slice(0, eq)) ?? []), line.slice(eq + 1)]);
    }
  }
  return out;
}

/** Exposure (0–10) of a unit file, from `systemd-analyze security --offline`. */
function exposure(file: string): number {
  const r = spawnSync(analyze!, ['security', '--offline=true', '--no-pager', file], { encoding: 'utf8' });
  const m = /Overall exposure level for [^:]+: ([\d.]+)/.exec(r.stdout + r.stderr);
  if (!m) throw new Error(`no exposure level in:\n${r.stdout}\n${r.stderr}`);
  return Number(m[1]);
}

describe('deploy/systemd/parley.service', () => {
  const text = fs.readFileSync(UNIT, 'utf8');
  const s = serviceSettings(text);

  it('has the hardening an operator of a sensitive service expects', () => {
    const want: Record<string, string> = {
      DynamicUser: 'yes',
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      NoNewPrivileges: 'yes',
      PrivateTmp: 'yes',
      PrivateDevices: 'yes',
      StateDirectory: 'parley',
      Restart: 'on-failure',
      CapabilityBoundingSet: '',
      UMask: '0077',
    };
    for (const [k, v] of Object.entries(want)) expect([k, s.get(k)?.at(-1)]).toEqual([k, v]);
    // The state directory is the only writable place: no extra writable paths, never root.
    expect(s.has('ReadWritePaths')).toBe(false);
    expect(s.get('User')?.[0]).not.toBe('root');
    expect(s.get('Environment')?.join(' ')).toContain('DATA_DIR=/var/lib/parley');
  });

  describe.skipIf(!analyze)('with systemd-analyze', () => {
    it('passes systemd-analyze verify without a warning', () => {
      const r = spawnSync(analyze!, ['verify', UNIT], { encoding: 'utf8' });
      expect(r.stderr.trim()).toBe('');
      expect(r.status).toBe(0);
    });

    it('scores an exposure of 2.0 or less, where the unit without its sandbox scores more', () => {
      expect(exposure(UNIT)).toBeLessThanOrEqual(2.0);
      const weak = text
        .replace(/^DynamicUser=yes$/m, 'DynamicUser=no')
        .replace(/^ProtectSystem=strict$/m, 'ProtectSystem=no')
        .replace(/^(CapabilityBoundingSet|SystemCallFilter|RestrictAddressFamilies|PrivateUsers)=.*$/gm, '');
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'parley-unit-')), 'parley.service');
      fs.writeFileSync(file, weak);
      expect(exposure(file)).toBeGreaterThan(2.0);
    });
  });
});
