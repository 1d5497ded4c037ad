/**
 * ISO 3166-1 alpha-2: every officially assigned code (249) with an English short name.
 * Browser-safe (no node imports): the web client uses this module too.
 *
 * Mainland China (CN), Hong Kong (HK), Macau (MO) and Taiwan (TW) are separate entries,
 * as in ISO 3166-1, and therefore separate jurisdictions everywhere in Parley.
 * User-assigned codes (XK, XX, ZZ, ...) and reserved ones (UK, EU, ...) are rejected.
 */
import { z } from 'zod';
import { AppError } from './errors.js';

// A table: several entries to a line.
// prettier-ignore
const COUNTRY_NAMES = {
  AD: 'Andorra', AE: 'United Arab Emirates', AF: 'Afghanistan', AG: 'Antigua and Barbuda',
  AI: 'Anguilla', AL: 'Albania', AM: 'Armenia', AO: 'Angola', AQ: 'Antarctica',
  AR: 'Argentina', AS: 'American Samoa', AT: 'Austria', AU: 'Australia', AW: 'Aruba',
  AX: 'Åland Islands', AZ: 'Azerbaijan',
  BA: 'Bosnia and Herzegovina', BB: 'Barbados', BD: 'Bangladesh', BE: 'Belgium',
  BF: 'Burkina Faso', BG: 'Bulgaria', BH: 'Bahrain', BI: 'Burundi', BJ: 'Benin',
  BL: 'Saint Barthélemy', BM: 'Bermuda', BN: 'Brunei Darussalam', BO: 'Bolivia',
  BQ: 'Bonaire, Sint Eustatius and Saba', BR: 'Brazil', BS: 'Bahamas', BT: 'Bhutan',
  BV: 'Bouvet Island', BW: 'Botswana', BY: 'Belarus', BZ: 'Belize',
  CA: 'Canada', CC: 'Cocos (Keeling) Islands', CD: 'Congo (Democratic Republic)',
  CF: 'Central African Republic', CG: 'Congo', CH: 'Switzerland', CI: "Côte d'Ivoire",
  CK: 'Cook Islands', CL: 'Chile', CM: 'Cameroon', CN: 'Mainland China', CO: 'Colombia',
  CR: 'Costa Rica', CU: 'Cuba', CV: 'Cabo Verde', CW: 'Curaçao', CX: 'Christmas Island',
  CY: 'Cyprus', CZ: 'Czechia',
  DE: 'Germany', DJ: 'Djibouti', DK: 'Denmark', DM: 'Dominica', DO: 'Dominican Republic',
  DZ: 'Algeria',
  EC: 'Ecuador', EE: 'Estonia', EG: 'Egypt', EH: 'Western Sahara', ER: 'Eritrea',
  ES: 'Spain', ET: 'Ethiopia',
  FI: 'Finland', FJ: 'Fiji', FK: 'Falkland Islands (Malvinas)', FM: 'Micronesia',
  FO: 'Faroe Islands', FR: 'France',
  GA: 'Gabon', GB: 'United Kingdom', GD: 'Grenada', GE: 'Georgia', GF: 'French Guiana',
  GG: 'Guernsey', GH: 'Ghana', GI: 'Gibraltar', GL: 'Greenland', GM: 'Gambia', GN: 'Guinea',
  GP: 'Guadeloupe', GQ: 'Equatorial Guinea', GR: 'Greece',
  GS: 'South Georgia and the South Sandwich Islands', GT: 'Guatemala', GU: 'Guam',
  GW: 'Guinea-Bissau', GY: 'Guyana',
  HK: 'Hong Kong', HM: 'Heard Island and McDonald Islands', HN: 'Honduras', HR: 'Croatia',
  HT: 'Haiti', HU: 'Hungary',
  ID: 'Indonesia', IE: 'Ireland', IL: 'Israel', IM: 'Isle of Man', IN: 'India',
  IO: 'British Indian Ocean Territory', IQ: 'Iraq', IR: 'Iran', IS: 'Iceland', IT: 'Italy',
  JE: 'Jersey', JM: 'Jamaica', JO: 'Jordan', JP: 'Japan',
  KE: 'Kenya', KG: 'Kyrgyzstan', KH: 'Cambodia', KI: 'Kiribati', KM: 'Comoros',
  KN: 'Saint Kitts and Nevis', KP: 'North Korea', KR: 'South Korea', KW: 'Kuwait',
  KY: 'Cayman Islands', KZ: 'Kazakhstan',
  LA: 'Laos', LB: 'Lebanon', LC: 'Saint Lucia', LI: 'Liechtenstein', LK: 'Sri Lanka',
  LR: 'Liberia', LS: 'Lesotho', LT: 'Lithuania', LU: 'Luxembourg', LV: 'Latvia', LY: 'Libya',
  MA: 'Morocco', MC: 'Monaco', MD: 'Moldova', ME: 'Montenegro', MF: 'Saint Martin (French part)',
  MG: 'Madagascar', MH: 'Marshall Islands', MK: 'North Macedonia', ML: 'Mali', MM: 'Myanmar',
  MN: 'Mongolia', MO: 'Macau', MP: 'Northern Mariana Islands', MQ: 'Martinique',
  MR: 'Mauritania', MS: 'Montserrat', MT: 'Malta', MU: 'Mauritius', MV: 'Maldives',
  MW: 'Malawi', MX: 'Mexico', MY: 'Malaysia', MZ: 'Mozambique',
  NA: 'Namibia', NC: 'New Caledonia', NE: 'Niger', NF: 'Norfolk Island', NG: 'Nigeria',
  NI: 'Nicaragua', NL: 'Netherlands', NO: 'Norway', NP: 'Nepal', NR: 'Nauru', NU: 'Niue',
  NZ: 'New Zealand',
  OM: 'Oman',
  PA: 'Panama', PE: 'Peru', PF: 'French Polynesia', PG: 'Papua New Guinea', PH: 'Philippines',
  PK: 'Pakistan', PL: 'Poland', PM: 'Saint Pierre and Miquelon', PN: 'Pitcairn',
  PR: 'Puerto Rico', PS: 'Palestine', PT: 'Portugal', PW: 'Palau', PY: 'Paraguay',
  QA: 'Qatar',
  RE: 'Réunion', RO: 'Romania', RS: 'Serbia', RU: 'Russia', RW: 'Rwanda',
  SA: 'Saudi Arabia', SB: 'Solomon Islands', SC: 'Seychelles', SD: 'Sudan', SE: 'Sweden',
  SG: 'Singapore', SH: 'Saint Helena, Ascension and Tristan da Cunha', SI: 'Slovenia',
  SJ: 'Svalbard and Jan Mayen', SK: 'Slovakia', SL: 'Sierra Leone', SM: 'San Marino',
  SN: 'Senegal', SO: 'Somalia', SR: 'Suriname', SS: 'South Sudan',
  ST: 'Sao Tome and Principe', SV: 'El Salvador', SX: 'Sint Maarten (Dutch part)',
  SY: 'Syria', SZ: 'Eswatini',
  TC: 'Turks and Caicos Islands', TD: 'Chad', TF: 'French Southern Territories', TG: 'Togo',
  TH: 'Thailand', TJ: 'Tajikistan', TK: 'Tokelau', TL: 'Timor-Leste', TM: 'Turkmenistan',
  TN: 'Tunisia', TO: 'Tonga', TR: 'Türkiye', TT: 'Trinidad and Tobago', TV: 'Tuvalu',
  TW: 'Taiwan', TZ: 'Tanzania',
  UA: 'Ukraine', UG: 'Uganda', UM: 'United States Minor Outlying Islands',
  US: 'United States', UY: 'Uruguay', UZ: 'Uzbekistan',
  VA: 'Holy See', VC: 'Saint Vincent and the Grenadines', VE: 'Venezuela',
  VG: 'Virgin Islands (British)', VI: 'Virgin Islands (U.S.)', VN: 'Viet Nam', VU: 'Vanuatu',
  WF: 'Wallis and Futuna', WS: 'Samoa',
  YE: 'Yemen', YT: 'Mayotte',
  ZA: 'South Africa', ZM: 'Zambia', ZW: 'Zimbabwe',
} as const;

/** An officially assigned ISO 3166-1 alpha-2 code, uppercase. */
export type CountryCode = keyof typeof COUNTRY_NAMES;

/** All 249 assigned codes, sorted. */
export const COUNTRY_CODES = Object.freeze(Object.keys(COUNTRY_NAMES).sort()) as unknown as readonly [CountryCode, ...CountryCode[]];

/** True when `value` is an assigned alpha-2 code, exactly (uppercase; 'cn' is not). */
export function isCountryCode(value: unknown): value is CountryCode {
  return typeof value === 'string' && value.length === 2 && Object.hasOwn(COUNTRY_NAMES, value);
}

/** Returns `value` typed as a CountryCode, or throws AppError('INVALID_COUNTRY'). */
export function assertCountryCode(value: unknown): CountryCode {
  if (!isCountryCode(value)) {
    throw new AppError('INVALID_COUNTRY', undefined, { value: typeof value === 'string' ? value.slice(0, 16) : typeof value });
  }
  return value;
}

/** zod schema for a country code at trust boundaries; rejects unassigned and lowercase codes. */
export const CountryCodeSchema = z.enum(COUNTRY_CODES, {
  error: 'Not an officially assigned ISO 3166-1 alpha-2 country code (uppercase, e.g. GB, CN, HK, MO, TW).',
});

const displayNames = new Map<string, Intl.DisplayNames | null>();

function regionNames(locale: string): Intl.DisplayNames | null {
  let names = displayNames.get(locale);
  if (names === undefined) {
    try {
      names = typeof Intl.DisplayNames === 'function' ? new Intl.DisplayNames([locale], { type: 'region', fallback: 'none' }) : null;
    } catch {
      names = null; // malformed locale tag: fall back to English below
    }
    displayNames.set(locale, names);
  }
  return names;
}

/**
 * The country's name in `locale`. English (the default) uses Parley's own table, so that the
 * four jurisdictions CN/HK/MO/TW read the same everywhere; other locales use Intl.DisplayNames
 * and fall back to the English name when the runtime has none.
 */
export function countryName(code: string, locale = 'en'): string {
  const cc = assertCountryCode(code);
  const english = COUNTRY_NAMES[cc];
  if (/^en(?:[-_]|$)/i.test(locale)) return english;
  const localised = regionNames(locale)?.of(cc);
  return localised !== undefined && localised !== cc ? localised : english;
}
