import type { Request, Response } from 'express';
import multer, { type StoredFile } from 'multer';
import { DomainError } from '../common/domain-error';

/** The largest decision document accepted: 10 MB. */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

/** What a decision document may be, told by its first bytes (never by the name or the declared type). */
const SIGNATURES: Array<{ contentType: string; matches: (b: Buffer) => boolean }> = [
  { contentType: 'application/pdf', matches: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
  { contentType: 'image/png', matches: (b) => b.subarray(0, 8).equals(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10])) },
  { contentType: 'image/jpeg', matches: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  {
    contentType: 'image/webp',
    matches: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  },
];

const field = (messages: string[]) => [{ field: 'document', messages }];

/**
 * Reads the multipart body's (a decision document's, or a material's file: slides as a PDF; a PPTX is
 * a ZIP archive that its first bytes cannot tell from any other, so it is not accepted) one file field `document` into memory (at most 10 MB): a PDF or an
 * image by its content. 400 naming the field when it is missing, another field or not such a file;
 * 413 naming it when it is larger.
 */
export async function readDocumentUpload(
  req: Request,
  res: Response,
  what = 'the decision document',
): Promise<{ bytes: Buffer; contentType: string }> {
  if (!/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) {
    throw DomainError.validation(field([`send ${what} as multipart/form-data in the file field document`]));
  }
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: MAX_DOCUMENT_BYTES, files: 1, fields: 0 },
  });
  const file = await new Promise<StoredFile | undefined>((resolve, reject) => {
    upload.single('document')(req, res, (error: unknown) => {
      if (!error) return resolve((req as Request & { file?: StoredFile }).file);
      if (error instanceof multer.MulterError) {
        if (error.code === 'LIMIT_FILE_SIZE') {
          return reject(
            new DomainError(
              'PAYLOAD_TOO_LARGE',
              'document is larger than 10 MB',
              field(['document must be at most 10 MB']),
            ),
          );
        }
        return reject(
          DomainError.validation(
            field([`the only field is the file document (${error.code.toLowerCase().replace(/_/g, ' ')})`]),
          ),
        );
      }
      reject(DomainError.validation(field(['the multipart body could not be read'])));
    });
  });
  if (!file || file.buffer.length === 0)
    throw DomainError.validation(field(['document is required: a PDF or an image']));
  const kind = SIGNATURES.find((s) => s.matches(file.buffer));
  if (!kind) throw DomainError.validation(field(['document must be a PDF or an image (PNG, JPEG, WebP)']));
  return { bytes: file.buffer, contentType: kind.contentType };
}
