/** Portcullis core: API-key and SMTP-credential authentication and authorization. */
@SuppressWarnings("module") // the qualified exports name modules built after this one
module dev.portcullis.core {
    requires com.github.benmanes.caffeine;
    requires inet.ipaddr;
    requires io.github.bucket4j.core;
    requires de.mkammerer.argon2.nolibs;
    requires static org.slf4j;
    requires static micrometer.core;

    exports dev.portcullis;
    exports dev.portcullis.spi;

    // Internals, only to the sibling modules that need them (OkHttp style): the benchmarks reach the
    // stages and their parts; smtp parses CIDR blocks as core does.
    exports dev.portcullis.internal.access to dev.portcullis.jmh;
    exports dev.portcullis.internal.pipeline to dev.portcullis.jmh;
    exports dev.portcullis.internal.wire to dev.portcullis.jmh;
    exports dev.portcullis.internal.crypto to dev.portcullis.jmh;
    exports dev.portcullis.internal.net to dev.portcullis.jmh, dev.portcullis.smtp;
}
