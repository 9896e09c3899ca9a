import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { keyIdOf, sealedKeyId, TokenCipher, TokenDecryptionError } from '../../src/security/token-cipher';

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

/** A v1 record as the cipher wrote it before records named their key (built here independently). */
function sealV1(base64Key: string, plaintext: string, context = ''): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(base64Key, 'base64'), iv, { authTagLength: 16 });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', ...[iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64'))].join(':');
}

/** Flips one bit of the base64 part at `index` of a record. */
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

  test('the format is v2:<key id>:<iv>:<tag>:<ciphertext>, base64, with a 12-byte IV and a 16-byte tag', () => {
    const sealed = cipher.encrypt(SECRET);
    const parts = sealed.split(':');
    expect(parts).toHaveLength(5);
    expect(parts[0]).toBe('v2');
    expect(parts[1]).toBe(keyIdOf(KEY));
    expect(Buffer.from(parts[2]!, 'base64')).toHaveLength(12);
    expect(Buffer.from(parts[3]!, 'base64')).toHaveLength(16);
    expect(Buffer.from(parts[4]!, 'base64')).toHaveLength(Buffer.byteLength(SECRET));
    expect(sealed).not.toContain('xoxb-');
    expect(sealedKeyId(sealed)).toBe(keyIdOf(KEY));
  });

  test('a key id is the first 8 hex digits of the SHA-256 of the key bytes, and reveals nothing else', () => {
    const expected = createHash('sha256').update(Buffer.from(KEY, 'base64')).digest('hex').slice(0, 8);
    expect(keyIdOf(KEY)).toBe(expected);
    expect(keyIdOf(KEY)).toMatch(/^[0-9a-f]{8}$/);
    expect(keyIdOf(OTHER_KEY)).not.toBe(keyIdOf(KEY));
    expect(cipher.keyId).toBe(keyIdOf(KEY));
    // Fixed key, fixed id: a stored record's id must not change between releases.
    expect(keyIdOf(Buffer.alloc(32, 0).toString('base64'))).toBe('66687aad');
    expect(sealedKeyId(sealV1(KEY, SECRET))).toBeUndefined();
    expect(sealedKeyId('xoxb-1-2')).toBeUndefined();
  });

  test('a different IV (and so ciphertext) every time', () => {
    const sealed = Array.from({ length: 50 }, () => cipher.encrypt(SECRET));
    expect(new Set(sealed.map((s) => s.split(':')[2])).size).toBe(50);
    expect(new Set(sealed.map((s) => s.split(':')[4])).size).toBe(50);
  });

  test.each([
    ['IV', 2],
    ['tag', 3],
    ['ciphertext', 4],
  ])('tampering with the %s is detected', (_label, index) => {
    const error = decryptionError(() => cipher.decrypt(flipBit(cipher.encrypt(SECRET), index)));
    expect(error.message).toMatch(/altered/);
    expect(error.keyId).toBeUndefined();
  });

  test('changing the key id a record names makes it unreadable, never readable with another key', () => {
    const both = new TokenCipher(KEY, [OTHER_KEY]);
    const sealed = both.encrypt(SECRET);
    const relabelled = sealed.replace(keyIdOf(KEY), keyIdOf(OTHER_KEY));
    expect(decryptionError(() => both.decrypt(relabelled)).message).toMatch(/altered/);
  });

  test('a record moved to another context does not decrypt', () => {
    const sealed = cipher.encrypt(SECRET, 'T1');
    decryptionError(() => cipher.decrypt(sealed, 'T2'));
    decryptionError(() => cipher.decrypt(sealed));
  });

  test('another key fails with a clear error naming the key it needs, revealing neither key nor the value', () => {
    const sealed = cipher.encrypt(SECRET);
    const error = decryptionError(() => new TokenCipher(OTHER_KEY).decrypt(sealed));
    expect(error.name).toBe('TokenDecryptionError');
    expect(error.keyId).toBe(keyIdOf(KEY));
    expect(error.message).toBe(
      `stored value was sealed with key ${keyIdOf(KEY)}, which is not configured: ENCRYPTION_KEY is key ${keyIdOf(OTHER_KEY)} and ENCRYPTION_KEYS_OLD is unset; add key ${keyIdOf(KEY)} to ENCRYPTION_KEYS_OLD to read it`,
    );
    for (const secret of [KEY, OTHER_KEY, 'xoxb-']) expect(error.message).not.toContain(secret);
  });

  describe('several keys: ENCRYPTION_KEY and ENCRYPTION_KEYS_OLD', () => {
    const [A, B, C] = [KEY, OTHER_KEY, randomBytes(32).toString('base64')];

    test('an old key still reads what it sealed; new records are sealed with the current key only', () => {
      const sealedWithA = new TokenCipher(A).encrypt(SECRET, 'T1');
      const rotated = new TokenCipher(B, [C, A]);
      expect(rotated.keyId).toBe(keyIdOf(B));
      expect(rotated.keyIds).toEqual([keyIdOf(B), keyIdOf(C), keyIdOf(A)]);
      expect(rotated.open(sealedWithA, 'T1')).toEqual({ plaintext: SECRET, keyId: keyIdOf(A), current: false });
      const resealed = rotated.encrypt(SECRET, 'T1');
      expect(sealedKeyId(resealed)).toBe(keyIdOf(B));
      expect(rotated.open(resealed, 'T1')).toEqual({ plaintext: SECRET, keyId: keyIdOf(B), current: true });
      // Only B opens the re-sealed record: A alone cannot, so A can be retired once everything is re-sealed.
      expect(decryptionError(() => new TokenCipher(A).decrypt(resealed, 'T1')).keyId).toBe(keyIdOf(B));
      expect(new TokenCipher(B).decrypt(resealed, 'T1')).toBe(SECRET);
    });

    test('a record sealed with a key no longer configured names the key it needs and the ones there are', () => {
      const sealedWithC = new TokenCipher(C).encrypt(SECRET);
      const error = decryptionError(() => new TokenCipher(B, [A]).decrypt(sealedWithC));
      expect(error.keyId).toBe(keyIdOf(C));
      expect(error.message).toBe(
        `stored value was sealed with key ${keyIdOf(C)}, which is not configured: ENCRYPTION_KEY is key ${keyIdOf(B)} and ENCRYPTION_KEYS_OLD holds ${keyIdOf(A)}; add key ${keyIdOf(C)} to ENCRYPTION_KEYS_OLD to read it`,
      );
      for (const secret of [A, B, C]) expect(error.message).not.toContain(secret);
    });

    test('the context still binds a record to its row whichever key opens it', () => {
      const sealedWithA = new TokenCipher(A).encrypt(SECRET, 'T1');
      expect(decryptionError(() => new TokenCipher(B, [A]).decrypt(sealedWithA, 'T2')).message).toMatch(/altered/);
    });

    test('the current key listed among the old ones too, or an old key twice, changes nothing', () => {
      const twice = new TokenCipher(B, [A, B, A]);
      expect(twice.keyIds).toEqual([keyIdOf(B), keyIdOf(A)]);
      expect(twice.open(twice.encrypt(SECRET), '').current).toBe(true);
    });

    test('an old key that is not 32 bytes is refused like ENCRYPTION_KEY', () => {
      expect(() => new TokenCipher(A, [randomBytes(31).toString('base64')])).toThrow(/32 bytes/);
    });
  });

  describe('v1 records, written before records named their key, stay readable', () => {
    test('with ENCRYPTION_KEY: readable, and not current (re-sealing upgrades them to v2)', () => {
      const v1 = sealV1(KEY, SECRET, 'E1:T1');
      expect(cipher.open(v1, 'E1:T1')).toEqual({ plaintext: SECRET, keyId: keyIdOf(KEY), current: false });
    });

    test('with an old key: every configured key is tried', () => {
      const v1 = sealV1(KEY, SECRET, 'T1');
      expect(new TokenCipher(OTHER_KEY, [randomBytes(32).toString('base64'), KEY]).open(v1, 'T1')).toEqual({
        plaintext: SECRET,
        keyId: keyIdOf(KEY),
        current: false,
      });
    });

    test('with no configured key: refused, saying every key was tried', () => {
      const v1 = sealV1(KEY, SECRET);
      const alone = decryptionError(() => new TokenCipher(OTHER_KEY).decrypt(v1));
      expect(alone.message).toMatch(
        /ENCRYPTION_KEY is not the key it was encrypted with, or the stored value was altered/,
      );
      expect(alone.keyId).toBeUndefined();
      const withOld = decryptionError(() =>
        new TokenCipher(OTHER_KEY, [randomBytes(32).toString('base64')]).decrypt(v1),
      );
      expect(withOld.message).toMatch(/nor is any of ENCRYPTION_KEYS_OLD/);
    });

    test.each([
      ['IV', 1],
      ['tag', 2],
      ['ciphertext', 3],
    ])('tampering with a v1 record’s %s is detected', (_label, index) => {
      expect(decryptionError(() => cipher.decrypt(flipBit(sealV1(KEY, SECRET), index))).message).toMatch(/altered/);
    });
  });

  test.each([
    ['plain text', 'xoxb-not-encrypted'],
    ['an unknown version', 'v9:AAAA:BBBB:CCCC'],
    ['too few parts', 'v1:AAAA'],
    ['a short IV', `v1:${Buffer.alloc(4).toString('base64')}:${Buffer.alloc(16).toString('base64')}:AAAA`],
    [
      'a v2 record without a key id',
      `v2:${Buffer.alloc(12).toString('base64')}:${Buffer.alloc(16).toString('base64')}:AAAA`,
    ],
    ['a v2 record with too few parts', 'v2:0123abcd:AAAA'],
    ['an empty value', ''],
  ])('%s is refused as not a record', (_label, sealed) => {
    const error = decryptionError(() => cipher.decrypt(sealed));
    expect(error.message).toMatch(/format|malformed/);
    expect(error.message).not.toContain('xoxb');
  });

  test('a key that is not 32 bytes is refused', () => {
    expect(() => new TokenCipher(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
    expect(() => new TokenCipher('')).toThrow(/32 bytes/);
  });
});
