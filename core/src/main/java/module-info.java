/** Portcullis core: API-key and SMTP-credential authentication and authorization. */
module dev.portcullis.core {
    requires com.github.benmanes.caffeine;
    requires inet.ipaddr;
    requires io.github.bucket4j.core;
    requires de.mkammerer.argon2.nolibs;

    exports dev.portcullis;
}
