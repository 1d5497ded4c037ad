/** Build web/dist when it is missing or older than web/src (see start.mjs). */
export function ensureWebBuilt(): void;
