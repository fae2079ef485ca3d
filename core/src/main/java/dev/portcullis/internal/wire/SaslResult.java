package dev.portcullis.internal.wire;

import org.jspecify.annotations.Nullable;

/**
 * The outcome of a SASL step: a challenge to send, or one of the terminal outcomes. Everything
 * but a credential is a shared constant.
 */
public final class SaslResult {
    public enum Kind {
        /** Send {@code 334 } followed by {@link #challenge()} and wait for the next line. */
        CHALLENGE,
        /** The client sent {@code *}: 501 5.7.0. */
        CANCELLED,
        /** See {@link #reason()}: 501 5.5.2. */
        MALFORMED,
        /** A line over {@link SaslLine#MAX_LENGTH}: 500 5.5.6. */
        TOO_LONG,
        /** A username and password: {@link #credential()}. */
        CREDENTIAL,
        /** An API key as a bearer token (OAUTHBEARER, XOAUTH2): {@link #bearerToken()}, {@link #authzid()}. */
        BEARER,
        /**
         * The client's dummy response to an error challenge (RFC 7628 §3.2.3): the exchange ends
         * with the failure already decided.
         */
        ACKNOWLEDGED
    }

    static final SaslResult CANCELLED = new SaslResult(Kind.CANCELLED, null, null, null);
    static final SaslResult TOO_LONG = new SaslResult(Kind.TOO_LONG, null, Malformation.TOO_LONG, null);
    static final SaslResult ACKNOWLEDGED = new SaslResult(Kind.ACKNOWLEDGED, null, null, null);
    private static final SaslResult[] MALFORMED = new SaslResult[Malformation.values().length];

    static {
        for (Malformation m : Malformation.values()) {
            MALFORMED[m.ordinal()] = new SaslResult(Kind.MALFORMED, null, m, null);
        }
    }

    private final Kind kind;
    private final String challenge;
    private final Malformation reason;
    private final PasswordCredential credential;
    private final @Nullable ApiKeyCredential bearerToken;
    private final @Nullable String authzid;

    private SaslResult(Kind kind, String challenge, Malformation reason, PasswordCredential credential) {
        this(kind, challenge, reason, credential, null, null);
    }

    private SaslResult(Kind kind, String challenge, Malformation reason, PasswordCredential credential,
            @Nullable ApiKeyCredential bearerToken, @Nullable String authzid) {
        this.kind = kind;
        this.challenge = challenge;
        this.reason = reason;
        this.credential = credential;
        this.bearerToken = bearerToken;
        this.authzid = authzid;
    }

    static SaslResult challenge(String base64) {
        return new SaslResult(Kind.CHALLENGE, base64, null, null);
    }

    static SaslResult malformed(Malformation reason) {
        return MALFORMED[reason.ordinal()];
    }

    static SaslResult of(PasswordCredential credential) {
        return new SaslResult(Kind.CREDENTIAL, null, null, credential);
    }

    static SaslResult bearer(ApiKeyCredential token, @Nullable String authzid) {
        return new SaslResult(Kind.BEARER, null, null, null, token, authzid);
    }

    public Kind kind() {
        return kind;
    }

    /**
     * Whether the exchange is over: every kind but {@link Kind#CHALLENGE}. After {@link Kind#BEARER}
     * the exchange may still take the client's answer to an error challenge.
     */
    public boolean done() {
        return kind != Kind.CHALLENGE;
    }

    /** The base64 text after {@code 334 } (possibly empty); {@code null} unless {@link Kind#CHALLENGE}. */
    public String challenge() {
        return challenge;
    }

    /** {@code TOO_LONG} for {@link Kind#TOO_LONG}, the malformation for {@link Kind#MALFORMED}, else {@code null}. */
    public Malformation reason() {
        return reason;
    }

    /** The credential; {@code null} unless {@link Kind#CREDENTIAL}. */
    public PasswordCredential credential() {
        return credential;
    }

    /** The bearer token; {@code null} unless {@link Kind#BEARER}. */
    public @Nullable ApiKeyCredential bearerToken() {
        return bearerToken;
    }

    /**
     * The authorization identity the client asked to act as (OAUTHBEARER {@code a=}, XOAUTH2
     * {@code user=}), decoded; {@code null} if none was given or unless {@link Kind#BEARER}. Not
     * yet checked against anything: log it only once the key it came with was verified.
     */
    public @Nullable String authzid() {
        return authzid;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case CHALLENGE -> "SaslResult[CHALLENGE \"" + challenge + "\"]";
            case MALFORMED -> "SaslResult[MALFORMED " + reason + "]";
            default -> "SaslResult[" + kind + "]";
        };
    }
}
