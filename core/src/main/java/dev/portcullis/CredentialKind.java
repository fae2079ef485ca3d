package dev.portcullis;

/** What a record holds: the digest of a generated API key, or the hash of a password. */
public enum CredentialKind {
    /** A generated high-entropy key, stored as a SHA-256 or HMAC-SHA-256 digest. */
    API_KEY,
    /** A username and password (SMTP credentials), stored as an Argon2id PHC string. */
    PASSWORD
}
