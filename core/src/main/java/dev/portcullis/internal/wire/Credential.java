package dev.portcullis.internal.wire;

/**
 * What a wire parser found: an API key or a username and password. Both kinds hold secrets, so
 * they compare by identity and their {@code toString} shows nothing of the content.
 */
public sealed interface Credential permits ApiKeyCredential, PasswordCredential {
}
