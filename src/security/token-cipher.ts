import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Encryption at rest for Slack installations (they hold bot tokens): AES-256-GCM, a fresh random
 * 12-byte IV for every record, and a versioned text format that names the key which sealed it:
 *
 *     v2:<key id>:<iv base64>:<auth tag base64>:<ciphertext base64>
 *
 * The key id is the first 8 hex digits of the SHA-256 of the key's 32 bytes: enough to tell a
 * handful of keys apart, nothing to learn the key from. Records written before keys had ids,
 *
 *     v1:<iv base64>:<auth tag base64>:<ciphertext base64>
 *
 * are still read (every configured key is tried); new records are always v2 with ENCRYPTION_KEY.
 *
 * An optional context (for installations: the workspace they belong to) is authenticated with the
 * record but not stored in it, so a record copied onto another row does not decrypt there.
 */

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[0-9a-f]{8}$/;

/** A stored value that cannot be decrypted: another key, altered bytes, or not this format at all. */
export class TokenDecryptionError extends Error {
  /**
   * The key a v2 record says sealed it when no configured key has that id: the key an operator must
   * add to ENCRYPTION_KEYS_OLD. Undefined otherwise.
   */
  readonly keyId: string | undefined;

  constructor(message: string, options?: { cause?: unknown; keyId?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TokenDecryptionError';
    this.keyId = options?.keyId;
  }
}

/** The id a key is known by in sealed records and messages: first 8 hex of SHA-256 of its bytes. */
export function keyIdOf(base64Key: string): string {
  return createHash('sha256').update(decodeKey(base64Key)).digest('hex').slice(0, 8);
}

function decodeKey(base64Key: string): Buffer {
  const key = Buffer.from(base64Key, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new Error(`the encryption key must be ${KEY_BYTES} bytes encoded as base64, got ${key.length} bytes`);
  }
  return key;
}

interface Key {
  readonly id: string;
  readonly bytes: Buffer;
}

interface ParsedRecord {
  /** Undefined for v1 records, which do not say. */
  readonly keyId: string | undefined;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly ciphertext: Buffer;
}

/** What decrypting a record found: the plaintext, which key opened it and whether it is sealed as encrypt() would. */
export interface OpenedRecord {
  readonly plaintext: string;
  /** The id of the key that opened it. */
  readonly keyId: string;
  /** True when the record is v2 and sealed with ENCRYPTION_KEY: re-sealing it would change nothing. */
  readonly current: boolean;
}

export class TokenCipher {
  private readonly current: Key;
  /** ENCRYPTION_KEY first, then ENCRYPTION_KEYS_OLD in their order, without repeats. */
  private readonly keys: readonly Key[];

  /**
   * @param base64Key ENCRYPTION_KEY: 32 bytes, base64. Seals every new record.
   * @param oldBase64Keys ENCRYPTION_KEYS_OLD: earlier keys, still accepted for reading.
   */
  constructor(base64Key: string, oldBase64Keys: readonly string[] = []) {
    const toKey = (encoded: string): Key => ({ id: keyIdOf(encoded), bytes: decodeKey(encoded) });
    this.current = toKey(base64Key);
    const keys: Key[] = [this.current];
    for (const encoded of oldBase64Keys) {
      const key = toKey(encoded);
      if (!keys.some((known) => known.bytes.equals(key.bytes))) keys.push(key);
    }
    this.keys = keys;
  }

  /** The id of ENCRYPTION_KEY, which seals every new record. */
  get keyId(): string {
    return this.current.id;
  }

  /** The ids of every key this cipher can read with, ENCRYPTION_KEY's first. */
  get keyIds(): readonly string[] {
    return this.keys.map((key) => key.id);
  }

  encrypt(plaintext: string, context = ''): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.current.bytes, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      'v2',
      this.current.id,
      ...[iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64')),
    ].join(':');
  }

  /** Throws TokenDecryptionError when no configured key opens the value with this context, or it was altered. */
  decrypt(sealed: string, context = ''): string {
    return this.open(sealed, context).plaintext;
  }

  /** decrypt(), saying also which key opened the record and whether it should be re-sealed. */
  open(sealed: string, context = ''): OpenedRecord {
    const record = parse(sealed);
    if (record.keyId !== undefined) {
      const candidates = this.keys.filter((key) => key.id === record.keyId);
      if (candidates.length === 0) {
        throw new TokenDecryptionError(
          `stored value was sealed with key ${record.keyId}, which is not configured: ENCRYPTION_KEY is key ${this.current.id}${this.describeOldKeys()}; add key ${record.keyId} to ENCRYPTION_KEYS_OLD to read it`,
          { keyId: record.keyId },
        );
      }
      const opened = this.tryKeys(candidates, record, context);
      if (opened) return { ...opened, current: opened.keyId === this.current.id };
      throw new TokenDecryptionError(
        `stored value could not be decrypted with key ${record.keyId}: the stored value was altered (or moved from another workspace's row)`,
      );
    }
    const opened = this.tryKeys(this.keys, record, context);
    if (opened) return { ...opened, current: false };
    throw new TokenDecryptionError(
      `stored value could not be decrypted: ENCRYPTION_KEY is not the key it was encrypted with${this.keys.length > 1 ? ', nor is any of ENCRYPTION_KEYS_OLD' : ''}, or the stored value was altered`,
    );
  }

  private describeOldKeys(): string {
    const old = this.keys.slice(1).map((key) => key.id);
    return old.length === 0 ? ' and ENCRYPTION_KEYS_OLD is unset' : ` and ENCRYPTION_KEYS_OLD holds ${old.join(', ')}`;
  }

  private tryKeys(
    keys: readonly Key[],
    record: ParsedRecord,
    context: string,
  ): { plaintext: string; keyId: string } | undefined {
    for (const key of keys) {
      try {
        const decipher = createDecipheriv(ALGORITHM, key.bytes, record.iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(record.tag);
        const plaintext = Buffer.concat([decipher.update(record.ciphertext), decipher.final()]).toString('utf8');
        return { plaintext, keyId: key.id };
      } catch {
        // Not this key (or altered): the caller says which.
      }
    }
    return undefined;
  }
}

/** The key id a sealed record names: undefined for v1 records and for values in no known format. */
export function sealedKeyId(sealed: string): string | undefined {
  const [version, keyId] = sealed.split(':');
  return version === 'v2' && keyId !== undefined && KEY_ID.test(keyId) ? keyId : undefined;
}

function parse(sealed: string): ParsedRecord {
  const parts = sealed.split(':');
  const version = parts[0];
  let keyId: string | undefined;
  let encoded: string[];
  if (version === 'v1') {
    encoded = parts.slice(1);
  } else if (version === 'v2') {
    keyId = parts[1];
    encoded = parts.slice(2);
    if (keyId === undefined || !KEY_ID.test(keyId)) {
      throw new TokenDecryptionError('stored value is a malformed v2 record: its key id is not 8 hex digits');
    }
  } else {
    // Nothing of the stored value is echoed: it may be a token stored in the clear.
    throw new TokenDecryptionError('stored value is not in a known encryption format (expected "v2:…" or "v1:…")');
  }
  const [iv, tag, ciphertext] = encoded.map((part) => Buffer.from(part, 'base64'));
  if (encoded.length !== 3 || iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || !ciphertext) {
    throw new TokenDecryptionError(`stored value is a malformed ${version} record`);
  }
  return { keyId, iv, tag, ciphertext };
}
