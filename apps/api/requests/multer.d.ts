/**
 * The little of multer (a direct dependency, the version @nestjs/platform-express uses; it ships no
 * types, and @types/multer is not installed in the shared node_modules) that the uploads use.
 */
declare module 'multer' {
  import type { Request, RequestHandler } from 'express';

  interface StoredFile {
    fieldname: string;
    originalname: string;
    mimetype: string;
    size: number;
    buffer: Buffer;
  }
  interface Options {
    storage?: unknown;
    limits?: { fileSize?: number; files?: number; fields?: number; parts?: number };
  }
  interface Multer {
    single(field: string): RequestHandler;
  }
  interface MulterFactory {
    (options?: Options): Multer;
    memoryStorage(): unknown;
    MulterError: new (...args: never[]) => Error & { code: string; field?: string };
  }
  const multer: MulterFactory;
  export default multer;
  export type { StoredFile, Request };
}
