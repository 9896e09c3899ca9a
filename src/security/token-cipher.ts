import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Encryption at rest for Slack installations (they hold bot tokens): AES-256-GCM, a fresh random
 * 12-byte IV for every record, and a versioned text format so that the scheme can change later:
 *
 *     v1:<iv base64>:<auth tag base64>:<ciphertext base64>
 *
 * An optional context (for installations: the workspace they belong to) is authenticated with the
 * record but not stored in it, so a record copied onto another row does not decrypt there.
 */

const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A stored value that cannot be decrypted: another key, altered bytes, or not this format at all. */
export class TokenDecryptionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TokenDecryptionError';
  }
}

export class TokenCipher {
  private readonly key: Buffer;

  /** @param base64Key ENCRYPTION_KEY: 32 bytes, base64. */
  constructor(base64Key: string) {
    const key = Buffer.from(base64Key, 'base64');
    if (key.length !== KEY_BYTES) {
      throw new Error(`the encryption key must be ${KEY_BYTES} bytes encoded as base64, got ${key.length} bytes`);
    }
    this.key = key;
  }

  encrypt(plaintext: string, context = ''): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64')).join(':');
  }

  /** Throws TokenDecryptionError when the value was not encrypted with this key and context, or was altered. */
  decrypt(sealed: string, context = ''): string {
    const parts = sealed.split(':');
    if (parts[0] !== VERSION) {
      // Nothing of the stored value is echoed: it may be a token stored in the clear.
      throw new TokenDecryptionError(`stored value is not in a known encryption format (expected "${VERSION}:…")`);
    }
    const [iv, tag, ciphertext] = parts.slice(1).map((part) => Buffer.from(part, 'base64'));
    if (parts.length !== 4 || iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || !ciphertext) {
      throw new TokenDecryptionError(`stored value is a malformed ${VERSION} record`);
    }
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new TokenDecryptionError(
        'stored value could not be decrypted: ENCRYPTION_KEY is not the key it was encrypted with, or the stored value was altered',
        { cause: error },
      );
    }
  }
}
