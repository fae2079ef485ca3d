package dev.portcullis;

/** Where a credential is presented. */
public enum Channel {
    /** An HTTP {@code Authorization} header. */
    HTTP,
    /** SMTP AUTH (PLAIN, LOGIN). */
    SMTP
}
