/**
 * The little of multer (a dependency of @nestjs/platform-express, which ships no types for it) that
 * the decision-document upload uses.
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
