// What the test suite needs from the machine, installed or started by the project itself,
// with a clear message when that is impossible.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';

function canApt() {
  return process.getuid?.() === 0 && fs.existsSync('/usr/bin/apt-get');
}

function aptInstall(pkgs) {
  console.log(`Installing ${pkgs.join(', ')} from Debian's packages…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  if (r.status !== 0) return false;
  r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
  return r.status === 0;
}

/** Debian's chromium for the browser tests (never a browser download). */
export function ensureChromium() {
  if (fs.existsSync(CHROMIUM)) return;
  if (canApt() && aptInstall(['chromium']) && fs.existsSync(CHROMIUM)) return;
  console.error(
    `Browser tests need Debian's chromium at ${CHROMIUM}, and it could not be installed here.\n` +
      `Install it with: sudo apt-get install chromium   (then run npm test again)`,
  );
  process.exit(1);
}
