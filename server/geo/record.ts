/** Reading a country out of a database record, whichever of the two common shapes it has. */

export interface RecordReading {
  /** The uppercase code the database gave, not yet checked against ISO 3166-1. */
  country: string | null;
  /** True/false when the record carries GeoIP2 traits; undefined when the database says nothing. */
  anonymiser?: boolean;
}

const ANONYMISER_TRAITS = [
  'is_anonymous_proxy', // GeoLite2/GeoIP2 Country & City
  'is_anonymous', // GeoIP2 Anonymous IP and Insights
  'is_anonymous_vpn',
  'is_public_proxy',
  'is_tor_exit_node',
  'is_residential_proxy',
] as const;

function isoCode(v: unknown): string | null {
  if (typeof v !== 'object' || v === null) return null;
  const code = (v as { iso_code?: unknown }).iso_code;
  return typeof code === 'string' ? code.toUpperCase() : null;
}

/**
 * ip-location-db records are `{ country_code }`; GeoIP2/GeoLite2 records are
 * `{ country: { iso_code }, registered_country: { iso_code }, traits: {...} }`. GeoIP2's
 * `country` (where the network is) wins; `registered_country` (where it is registered) is
 * used only when `country` is absent, which matches what the embedded whois-based database
 * already is.
 */
export function readRecord(record: unknown): RecordReading {
  if (typeof record !== 'object' || record === null) return { country: null };
  const r = record as Record<string, unknown>;
  if (typeof r.country_code === 'string') return { country: r.country_code.toUpperCase() };
  const reading: RecordReading = { country: isoCode(r.country) ?? isoCode(r.registered_country) };
  const traits = r.traits;
  if (typeof traits === 'object' && traits !== null) {
    const t = traits as Record<string, unknown>;
    reading.anonymiser = ANONYMISER_TRAITS.some((k) => t[k] === true);
  }
  return reading;
}
