import { randomBytes } from 'node:crypto';
import { TokenCipher, TokenDecryptionError } from '../../src/security/token-cipher';

const KEY = randomBytes(32).toString('base64');
const OTHER_KEY = randomBytes(32).toString('base64');
const SECRET = JSON.stringify({ bot: { token: 'xoxb-1234-5678-abcdefghijkl' }, team: { id: 'T1' } });

/** The error decrypt throws (fails the test if it returns). */
function decryptionError(run: () => unknown): TokenDecryptionError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TokenDecryptionError);
    return error as TokenDecryptionError;
  }
  throw new Error('expected decrypt to fail');
}

/** Flips one bit of the base64 part at `index` of a v1 record. */
function flipBit(sealed: string, index: number): string {
  const parts = sealed.split(':');
  const bytes = Buffer.from(parts[index]!, 'base64');
  bytes[0] = bytes[0]! ^ 1;
  parts[index] = bytes.toString('base64');
  return parts.join(':');
}

describe('TokenCipher', () => {
  const cipher = new TokenCipher(KEY);

  test('round trip, with and without a context', () => {
    expect(cipher.decrypt(cipher.encrypt(SECRET))).toBe(SECRET);
    expect(cipher.decrypt(cipher.encrypt(SECRET, 'E1:T1'), 'E1:T1')).toBe(SECRET);
    expect(cipher.decrypt(cipher.encrypt(''))).toBe('');
    const unicode = 'café — 東京 🚨';
    expect(cipher.decrypt(cipher.encrypt(unicode))).toBe(unicode);
  });

  test('the format is v1:<iv>:<tag>:<ciphertext>, base64, with a 12-byte IV and a 16-byte tag', () => {
    const sealed = cipher.encrypt(SECRET);
    const parts = sealed.split(':');
    expect(parts).toHaveLength(4);
    expect(parts[0]).toBe('v1');
    expect(Buffer.from(parts[1]!, 'base64')).toHaveLength(12);
    expect(Buffer.from(parts[2]!, 'base64')).toHaveLength(16);
    expect(Buffer.from(parts[3]!, 'base64')).toHaveLength(Buffer.byteLength(SECRET));
    expect(sealed).not.toContain('xoxb-');
  });

  test('a different IV (and so ciphertext) every time', () => {
    const sealed = Array.from({ length: 50 }, () => cipher.encrypt(SECRET));
    expect(new Set(sealed.map((s) => s.split(':')[1])).size).toBe(50);
    expect(new Set(sealed.map((s) => s.split(':')[3])).size).toBe(50);
  });

  test.each([
    ['IV', 1],
    ['tag', 2],
    ['ciphertext', 3],
  ])('tampering with the %s is detected', (_label, index) => {
    const error = decryptionError(() => cipher.decrypt(flipBit(cipher.encrypt(SECRET), index)));
    expect(error.message).toMatch(/altered/);
  });

  test('a record moved to another context does not decrypt', () => {
    const sealed = cipher.encrypt(SECRET, 'T1');
    decryptionError(() => cipher.decrypt(sealed, 'T2'));
    decryptionError(() => cipher.decrypt(sealed));
  });

  test('another key fails with a clear error that does not reveal either key or the value', () => {
    const sealed = cipher.encrypt(SECRET);
    const error = decryptionError(() => new TokenCipher(OTHER_KEY).decrypt(sealed));
    expect(error.name).toBe('TokenDecryptionError');
    expect(error.message).toMatch(/ENCRYPTION_KEY is not the key it was encrypted with/);
    for (const secret of [KEY, OTHER_KEY, 'xoxb-']) expect(error.message).not.toContain(secret);
  });

  test.each([
    ['plain text', 'xoxb-not-encrypted'],
    ['an unknown version', 'v9:AAAA:BBBB:CCCC'],
    ['too few parts', 'v1:AAAA'],
    ['a short IV', `v1:${Buffer.alloc(4).toString('base64')}:${Buffer.alloc(16).toString('base64')}:AAAA`],
    ['an empty value', ''],
  ])('%s is refused as not a v1 record', (_label, sealed) => {
    const error = decryptionError(() => cipher.decrypt(sealed));
    expect(error.message).toMatch(/format|malformed/);
    expect(error.message).not.toContain('xoxb');
  });

  test('a key that is not 32 bytes is refused', () => {
    expect(() => new TokenCipher(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
    expect(() => new TokenCipher('')).toThrow(/32 bytes/);
  });
});
