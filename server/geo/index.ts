/** The geo domain: where a participant is, from their public address. Import only this file. */
export type { GeoDatabaseInfo, GeoLogger, Location, LocationReason, ReloadActor, SwapGate } from './types.js';
export { createLocator, type Locator, type LocatorOptions, type ReloadListener } from './locator.js';
export { defaultDatabasePath } from './database.js';
export { parseTestMap, type TestMap, type TestMapEntry } from './test-map.js';
export {
  clientAddress,
  createClientAddressResolver,
  type ClientAddressInput,
  type ClientAddressResolverOptions,
  type ForwardedHeader,
  type HeaderBag,
} from './client-address.js';
export { createCidrSet, parseCidr, type Cidr, type CidrSet } from './cidr.js';
export { normaliseAddress, parseIp, formatIp, type ParsedIp } from './ip.js';
export { isReservedAddress } from './reserved.js';
export {
  checkDatabasePath,
  geoAdminRoutes,
  GeoReloadBodySchema,
  installSighupReload,
  type GeoAdminRoutesOptions,
  type GeoReloadBody,
} from './reload-triggers.js';
export { infrastructureSet, judgeMediaPath, type MediaPath, type MediaPathVerdict } from './media-evidence.js';
