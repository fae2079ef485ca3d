package dev.portcullis.internal.pipeline;

/**
 * What an attempt's event, metrics and usage name. The cached paths take one built with each cache
 * entry (an API key's identity shares its entry's; a login's identity has its own), so an attempt stores one reference to an object of the same
 * kind whether or not its credential exists, never a name here and a {@code null} there (the timing
 * invariant of the package note); the uncached ones (a store miss) build one.
 *
 * <p>It also keeps the usage tally its attempts were last counted in ({@link UsageRecorder#record(Subject,
 * dev.portcullis.DenyReason, dev.portcullis.ClientAddress, long)}), so that a request on a cached
 * entry, known or not, reaches its tally without a map lookup.
 */
final class Subject {
    /** An attempt that has named nothing yet. */
    static final Subject NONE = new Subject(null, null, null);

    private final String keyId;
    private final String account;
    private final String usageKey;
    /** The tally of the last count, or {@code null}; checked before use (whose recorder, retired). */
    volatile UsageRecorder.Tally tally;

    /**
     * @param keyId shown in events: the credential's id, or the unknown id presented; {@code null} for an unknown login
     * @param account the account usage is counted for: an API key's checked as a token, a login's checked
     *     by username, an authorized principal's; else {@code null}, and usage is not counted
     * @param usageKey what usage is counted under: the credential's id, else what the attempt named
     *     (sunk, never written), or {@code null}
     */
    Subject(String keyId, String account, String usageKey) {
        this.keyId = keyId;
        this.account = account;
        this.usageKey = usageKey;
    }

    /** A key id presented and not cached: named in events, sunk in no tally of its own (a store miss is throttled, not equalized). */
    static Subject unknownKey(String keyId) {
        return new Subject(keyId, null, null);
    }

    String keyId() {
        return keyId;
    }

    String account() {
        return account;
    }

    String usageKey() {
        return usageKey;
    }

    boolean counted() {
        return account != null;
    }

    /** Without the usage key: for an unknown login it is what was typed as a username. */
    @Override
    public String toString() {
        return "Subject[keyId=" + keyId + ", account=" + account + "]";
    }
}
