package dev.portcullis.internal.pipeline;

import dev.portcullis.Channel;
import dev.portcullis.Grant;
import dev.portcullis.KeyInfo.CredentialKind;
import dev.portcullis.spi.KeyRecord;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * What a {@link dev.portcullis.Principal} tells of its record: everything but the hash. Built
 * once per loaded record, with its cache entry, and shared, so an allowed request costs at most one
 * small object (the principal; none when its entry's last one is given again).
 */
public final class Identity {
    public final String keyId;
    public final String account;
    public final String name;
    public final CredentialKind kind;
    public final String username;
    public final List<Grant> grants;
    public final Set<Channel> channels;
    public final Instant expiresAt;
    /** What an attempt authorized for this principal names. */
    final Subject subject;

    /** @param subject what its authorized attempts name: {@code (id, account, id)} of the record */
    Identity(KeyRecord r, Subject subject) {
        this.keyId = r.id();
        this.account = r.account();
        this.name = r.name();
        this.kind = r.kind();
        this.username = r.username();
        this.grants = r.grants();
        this.channels = r.channels();
        this.expiresAt = r.expiresAt();
        this.subject = subject;
    }
}
