/** The demand's document: PDF, PNG, JPEG or plain text, at most 10 MB, checked by content. */
import { createHash } from 'node:crypto';
import { AppError } from '../../protocol/errors.js';
import type { DemandDocument } from './types.js';

export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

// A Map, not an object: `SIGNATURES[type]` on an object finds `constructor`, `__proto__`, … for
// a client-chosen type ("constructor" passed the type check and then the content check).
const SIGNATURES = new Map<string, (b: Uint8Array) => boolean>([
  ['application/pdf', (b) => Buffer.from(b.subarray(0, 5)).toString('latin1') === '%PDF-'],
  [
    'image/png',
    (b) =>
      b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a,
  ],
  ['image/jpeg', (b) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
  [
    'text/plain',
    (b) => {
      if (b.includes(0)) return false;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(b);
        return true;
      } catch {
        return false;
      }
    },
  ],
]);
export const DOCUMENT_TYPES = [...SIGNATURES.keys()];

const invalid = (message: string, details: unknown) => new AppError('VALIDATION_FAILED', message, details);

/** Check an upload and hash it; throws VALIDATION_FAILED (empty, wrong type, content not matching) or PAYLOAD_TOO_LARGE. */
export function checkDocument(filename: string, mimetype: string, bytes: Uint8Array): DemandDocument {
  const type = mimetype.split(';')[0]!.trim().toLowerCase();
  if (bytes.length === 0) throw invalid('The document is empty.', [{ path: 'document', message: 'empty file' }]);
  if (bytes.length > MAX_DOCUMENT_BYTES) throw new AppError('PAYLOAD_TOO_LARGE', 'The document is larger than 10 MB.');
  const check = SIGNATURES.get(type);
  if (!check)
    throw invalid(`Documents must be one of ${DOCUMENT_TYPES.join(', ')}.`, [{ path: 'document', message: `type ${type.slice(0, 60)} not accepted` }]);
  if (!check(bytes)) throw invalid(`The file's content is not ${type}.`, [{ path: 'document', message: 'content does not match its type' }]);
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is being removed
  const name = filename.replace(/[\\/\0-\x1f]/g, '_').slice(0, 200) || 'document';
  return { filename: name, contentType: type, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), bytes };
}
