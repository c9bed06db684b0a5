import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import multer, { type StoredFile } from 'multer';
import { MAX_DOCUMENT_BYTES } from '../../api/requests/authorization-document.upload';

/** What went wrong reading an upload form, for the page to say in words (see UPLOAD_PROBLEMS). */
export type UploadProblem = 'size' | 'form';

export type UploadFormRequest = Request & { file?: StoredFile; uploadProblem?: UploadProblem };

/**
 * Reads the page's upload forms (multipart: the CSRF field first, then the file `document`) before
 * the page guard checks the CSRF token, which a multipart body carries where no other parser looks.
 * A file over 10 MB is not an error page: the handler tells the person in words.
 */
@Injectable()
export class UploadFormMiddleware implements NestMiddleware {
  private readonly upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: MAX_DOCUMENT_BYTES, files: 1, fields: 2 },
  }).single('document');

  use(req: UploadFormRequest, res: Response, next: NextFunction): void {
    if (!/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) return next();
    this.upload(req, res, (error: unknown) => {
      if (error) {
        req.uploadProblem = error instanceof multer.MulterError && error.code === 'LIMIT_FILE_SIZE' ? 'size' : 'form';
      }
      next();
    });
  }
}
