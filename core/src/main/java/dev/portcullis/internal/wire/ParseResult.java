package dev.portcullis.internal.wire;

/**
 * The outcome of {@link AuthorizationParser}: exactly one of not this scheme, malformed with a
 * {@link Malformation}, or a credential. Outcomes without a credential are shared constants, so
 * refusing input allocates nothing.
 */
public final class ParseResult {
    public enum Kind {
        /** No Authorization header, or a scheme this parser does not handle (e.g. Digest). */
        NOT_THIS_SCHEME,
        /** Basic or Bearer (or a bare key) that breaks the rules; see {@link #reason()}. */
        MALFORMED,
        CREDENTIAL
    }

    public static final ParseResult NOT_THIS_SCHEME = new ParseResult(Kind.NOT_THIS_SCHEME, null, null);
    /**
     * An API key, decoded into the caller's {@link KeyBytes} rather than into a credential
     * object ({@link #credential()} is {@code null}); only the {@code parse} overloads taking a
     * buffer return it.
     */
    public static final ParseResult KEY_IN_BUFFER = new ParseResult(Kind.CREDENTIAL, null, null);
    private static final ParseResult[] MALFORMED = new ParseResult[Malformation.values().length];

    static {
        for (Malformation m : Malformation.values()) {
            MALFORMED[m.ordinal()] = new ParseResult(Kind.MALFORMED, m, null);
        }
    }

    private final Kind kind;
    private final Malformation reason;
    private final Credential credential;

    private ParseResult(Kind kind, Malformation reason, Credential credential) {
        this.kind = kind;
        this.reason = reason;
        this.credential = credential;
    }

    static ParseResult malformed(Malformation reason) {
        return MALFORMED[reason.ordinal()];
    }

    static ParseResult of(Credential credential) {
        return new ParseResult(Kind.CREDENTIAL, null, credential);
    }

    public Kind kind() {
        return kind;
    }

    /** Why the input is malformed; {@code null} unless {@link Kind#MALFORMED}. */
    public Malformation reason() {
        return reason;
    }

    /** The credential; {@code null} unless {@link Kind#CREDENTIAL}. */
    public Credential credential() {
        return credential;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case NOT_THIS_SCHEME -> "ParseResult[NOT_THIS_SCHEME]";
            case MALFORMED -> "ParseResult[MALFORMED " + reason + "]";
            case CREDENTIAL -> this == KEY_IN_BUFFER ? "ParseResult[KEY_IN_BUFFER]" : "ParseResult[CREDENTIAL " + credential.getClass().getSimpleName() + "]";
        };
    }
}
