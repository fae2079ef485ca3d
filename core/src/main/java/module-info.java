/** Portcullis core: API-key and SMTP-credential authentication and authorization. */
module dev.portcullis.core {
    requires com.github.benmanes.caffeine;
    requires inet.ipaddr;
    requires io.github.bucket4j.core;
    requires de.mkammerer.argon2.nolibs;
    requires static org.slf4j;
    requires static micrometer.core;

    exports dev.portcullis;
    exports dev.portcullis.spi;
}
