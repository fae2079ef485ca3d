package dev.portcullis;

/**
 * What an attempt's event, metrics and usage name: built once per cache entry (and per record's
 * identity), so an attempt stores one reference to an object of the same kind whether or not its
 * credential exists, never a name here and a {@code null} there (checklist I49; TimingLeakTest).
 *
 * @param keyId shown in events: the credential's id, or the unknown id presented; {@code null} for an unknown login
 * @param account the credential's account; {@code null} unless a credential was found (only then is usage counted)
 * @param usageKey what usage is counted under: the credential's id, else what the attempt named
 */
record Subject(String keyId, String account, String usageKey) {
    /** An attempt that has named nothing yet. */
    static final Subject NONE = new Subject(null, null, null);

    /** A key id presented but not (yet) found. */
    static Subject unknownKey(String keyId) {
        return new Subject(keyId, null, keyId);
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
