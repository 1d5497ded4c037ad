/** Typed access to scripts/services.mjs for the deployment tests (coturn, nginx, certificates). */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface CoturnHandle {
  secret: string;
  realm: string;
  host: string;
  port: number;
  tlsPort: number;
  dir: string;
  /** The certificate TURN over TLS presents (self-signed unless one was given). */
  cert: string;
  log: string;
  stop(): void;
}
export interface CoturnOptions {
  secret?: string;
  realm?: string;
  cert?: string;
  key?: string;
  keep?: boolean;
  /** An operator's turnserver.conf to run (addresses, ports, files and secret replaced). */
  baseConfig?: string;
  allowLoopbackPeers?: boolean;
}
export interface NginxHandle {
  dir: string;
  errorLog: string;
  accessLog: string;
  stop(): void;
}
interface ServicesModule {
  ensureNginxInstalled(): string | null;
  ensureSystemdAnalyze(): string | null;
  ensurePromtool(): string | null;
  startNginx(opts: { site: string; ports: number[] }): Promise<NginxHandle>;
  ensureCoturn(opts?: CoturnOptions): Promise<CoturnHandle | null>;
  startCoturn(opts?: CoturnOptions): Promise<CoturnHandle>;
  turnCredentials(secret: string, user: string, ttlSeconds: number): { username: string; credential: string };
  selfSignedCert(dir: string, cn?: string): { cert: string; key: string };
  freePort(): Promise<number>;
}

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function services(): Promise<ServicesModule> {
  return (await import(pathToFileURL(path.join(root, 'scripts/services.mjs')).href)) as ServicesModule;
}
