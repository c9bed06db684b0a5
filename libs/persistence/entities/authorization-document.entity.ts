import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The decision document of one external authorization of one request (the latest upload), sealed
 * with AES-256-GCM under ENCRYPTION_KEYS (`key_id` names the key); its SHA-256 is what the view, the
 * workflow history and the audit log carry. Written and read by the API only.
 */
@Entity({ name: 'authorization_documents' })
export class AuthorizationDocumentEntity {
  @PrimaryColumn({ name: 'request_id', type: 'varchar', length: 36 })
  requestId!: string;

  @PrimaryColumn({ type: 'varchar', length: 60 })
  kind!: string;

  @Column({ name: 'content_type', type: 'varchar', length: 100 })
  contentType!: string;

  @Column({ name: 'size_bytes', type: 'integer' })
  sizeBytes!: number;

  /** SHA-256 (hex) of the plain document. */
  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  @Column({ name: 'key_id', type: 'varchar', length: 64 })
  keyId!: string;

  /** base64 of iv ‖ ciphertext ‖ tag; the AAD binds it to its request, kind and hash. */
  @Column({ type: 'text' })
  ciphertext!: string;

  @Column({ name: 'uploaded_by', type: 'varchar', length: 254 })
  uploadedBy!: string;

  @Column({ name: 'uploaded_at', type: 'varchar', length: 30 })
  uploadedAt!: string;
}
