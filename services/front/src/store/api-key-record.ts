/** An API key as stored: never its secret, only the secret's SHA-256 digest (hex). */
export interface ApiKeyRecord {
  /** "key_" + 16 characters; also the visible prefix of the secret. */
  readonly id: string;
  /** SHA-256 of the secret, hex. The lookup column; the secret itself is never stored. */
  readonly hashHex: string;
  readonly owner: string;
  readonly name: string;
  readonly tier: string;
  readonly admin: boolean;
  /** Public model ids the key may use; empty = all. */
  readonly allowedModels: readonly string[];
  /** Provider ids the key may reach; empty = all. */
  readonly allowedProviders: readonly string[];
  /** Credits per calendar month (UTC); 0 = the tier's default. */
  readonly monthlyCreditQuota: number;
  readonly createdAt: number;
  readonly revokedAt?: number;
}

/** What a create call remembered under an Idempotency-Key: the request's fingerprint and its generation. */
export interface IdempotencyRecord {
  readonly owner: string;
  readonly key: string;
  readonly fingerprint: string;
  readonly generationId: string;
  readonly createdAt: number;
}
