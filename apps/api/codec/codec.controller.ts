import { Body, Controller, Headers, HttpCode, Logger, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Payload } from '@temporalio/common';
import { EncryptionCodec } from '@libs/crypto';
import type { Person } from '@libs/domain/person';
import { CurrentPerson, Roles } from '../auth/auth.decorators';
import { DomainError, type FieldError } from '../common/domain-error';

/** A Payload in proto3 JSON: every bytes field (each metadata value, the data) is base64. */
export interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * Reads `{payloads: [...]}`, naming every bad field by its path. Proto3 JSON leaves out empty
 * fields, so `{}` is an empty list (the Temporal CLI sends it) and a payload may lack `metadata` or `data`.
 */
function parsePayloads(body: unknown): Payload[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw DomainError.validation([{ field: 'body', messages: ['body must be a JSON object {payloads: [...]}'] }]);
  }
  const payloads = (body as { payloads?: unknown }).payloads ?? [];
  if (!Array.isArray(payloads)) {
    throw DomainError.validation([{ field: 'payloads', messages: ['payloads must be an array of Payloads'] }]);
  }
  const fields: FieldError[] = [];
  const bytes = (value: unknown, field: string): Buffer => {
    if (typeof value === 'string' && BASE64.test(value)) return Buffer.from(value, 'base64');
    fields.push({ field, messages: [`${field} must be base64`] });
    return Buffer.alloc(0);
  };
  const parsed = payloads.map((raw: unknown, i): Payload => {
    const { metadata = {}, data = '' } = (raw ?? {}) as { metadata?: unknown; data?: unknown };
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
      fields.push({ field: `payloads.${i}.metadata`, messages: ['metadata must be an object of base64 values'] });
      return {};
    }
    return {
      metadata: Object.fromEntries(
        Object.entries(metadata).map(([key, value]) => [key, bytes(value, `payloads.${i}.metadata.${key}`)]),
      ),
      data: bytes(data, `payloads.${i}.data`),
    };
  });
  if (fields.length > 0) throw DomainError.validation(fields);
  return parsed;
}

/** Every `proofKey` member, at any depth, replaced: what the codec server shows never carries one. */
function redactProofKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactProofKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [key, key === 'proofKey' ? '[redacted]' : redactProofKeys(v)]),
  );
}

/**
 * A request's proof key (libs/contracts/update-proof.ts) rides in its workflow's input, encrypted.
 * Whoever could read it and reach Temporal could send Updates as the API, so the codec server
 * shows `"proofKey":"[redacted]"` instead (the key plays no part in replay: validators do not run).
 */
function withoutProofKey(payload: Payload): Payload {
  if (Buffer.from(payload.metadata?.encoding ?? []).toString() !== 'json/plain') return payload;
  const text = Buffer.from(payload.data ?? []).toString('utf8');
  if (!text.includes('"proofKey"')) return payload;
  try {
    return { ...payload, data: Buffer.from(JSON.stringify(redactProofKeys(JSON.parse(text)))) };
  } catch {
    return { ...payload, data: Buffer.alloc(0) }; // not JSON after all: show nothing rather than a key
  }
}

function toJson(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
    ),
    data: Buffer.from(payload.data ?? []).toString('base64'),
  };
}

/**
 * The codec server of the Temporal Web UI and CLI (Temporal's codec-server protocol): payloads in,
 * the same payloads encoded or decoded out, with the keys of this deployment. Decoding reveals
 * everything in a history, so only auditors and admins may call it, with a bearer token the API
 * accepts (the UI passes the user's access token when TEMPORAL_CODEC_PASS_ACCESS_TOKEN is on).
 * The `X-Namespace` header is accepted and not needed: one keyring serves the namespace.
 */
@ApiTags('codec')
@ApiBearerAuth()
@Controller('codec')
@Roles('auditor', 'admin')
export class CodecController {
  private readonly logger = new Logger('Codec');

  constructor(private readonly codec: EncryptionCodec) {}

  @Post('encode')
  @HttpCode(200)
  @ApiOperation({ summary: 'Temporal codec server: encrypt payloads with the active key' })
  async encode(@Body() body: unknown, @CurrentPerson() person: Person, @Headers('x-namespace') namespace?: string) {
    const payloads = parsePayloads(body);
    this.logger.debug(`${person.email} encoded ${payloads.length} payload(s) (namespace ${namespace ?? '-'})`);
    return { payloads: (await this.codec.encode(payloads)).map(toJson) };
  }

  @Post('decode')
  @HttpCode(200)
  @ApiOperation({ summary: 'Temporal codec server: decrypt payloads (unencrypted ones pass through)' })
  async decode(@Body() body: unknown, @CurrentPerson() person: Person, @Headers('x-namespace') namespace?: string) {
    const payloads = parsePayloads(body);
    this.logger.debug(`${person.email} decoded ${payloads.length} payload(s) (namespace ${namespace ?? '-'})`);
    const fields: FieldError[] = [];
    const decoded = await Promise.all(
      payloads.map((payload, i) =>
        this.codec.decode([payload]).then(
          ([one]) => one,
          (error: unknown) => {
            fields.push({ field: `payloads.${i}`, messages: [error instanceof Error ? error.message : String(error)] });
            return payload;
          },
        ),
      ),
    );
    if (fields.length > 0) throw DomainError.validation(fields);
    return { payloads: decoded.map(withoutProofKey).map(toJson) };
  }
}
