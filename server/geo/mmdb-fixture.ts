/**
 * Test-only: writes a tiny, valid MaxMind DB (IPv4, one tree node) whose lower half
 * (0.0.0.0/1) answers `left` and upper half (128.0.0.0/1) answers `right`, so tests can use
 * GeoIP2-shaped records that the embedded database does not have.
 */
type Value = string | number | boolean | Value[] | { [k: string]: Value };

function ctrl(type: number, size: number): Buffer {
  if (size >= 29) throw new Error('fixture encoder: value too large');
  return type <= 7 ? Buffer.from([(type << 5) | size]) : Buffer.from([size, type - 7]);
}

function uint(type: number, n: number): Buffer {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.concat([ctrl(type, bytes.length), Buffer.from(bytes)]);
}

function encode(v: Value): Buffer {
  if (typeof v === 'string') {
    const b = Buffer.from(v, 'utf8');
    return Buffer.concat([ctrl(2, b.length), b]);
  }
  if (typeof v === 'boolean') return ctrl(14, v ? 1 : 0);
  if (typeof v === 'number') return uint(v > 0xffffffff ? 9 : 6, v);
  if (Array.isArray(v)) return Buffer.concat([ctrl(11, v.length), ...v.map(encode)]);
  const entries = Object.entries(v);
  return Buffer.concat([ctrl(7, entries.length), ...entries.flatMap(([k, x]) => [encode(k), encode(x)])]);
}

function record24(n: number): Buffer {
  return Buffer.from([(n >> 16) & 255, (n >> 8) & 255, n & 255]);
}

/** Builds the file's bytes. `databaseType` defaults to 'GeoIP2-Country'. */
export function buildMmdb(left: Value, right: Value, databaseType = 'GeoIP2-Country'): Buffer {
  const leftData = encode(left);
  const rightData = encode(right);
  const nodeCount = 1;
  const tree = Buffer.concat([record24(nodeCount + 16), record24(nodeCount + 16 + leftData.length)]);
  const metadata = encode({
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: 1_750_000_000,
    database_type: databaseType,
    description: { en: 'Parley test fixture' },
    ip_version: 4,
    languages: ['en'],
    node_count: nodeCount,
    record_size: 24,
  });
  return Buffer.concat([tree, Buffer.alloc(16), leftData, rightData, Buffer.from('\xab\xcd\xefMaxMind.com', 'latin1'), metadata]);
}
