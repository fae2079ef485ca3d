/** Portcullis core: API-key and SMTP-credential authentication and authorization. */
@SuppressWarnings("module") // the qualified exports name modules built after this one
module dev.portcullis.core {
    requires com.github.benmanes.caffeine;
    requires inet.ipaddr;
    requires io.github.bucket4j.core;
    requires de.mkammerer.argon2.nolibs;
    requires static org.slf4j;
    requires static micrometer.core;
    // Annotations only: static, as Guava and Caffeine require it, since nothing reads them at run time; transitive, so a
    // module compiled against ours reads the nullness on our signatures without naming jspecify itself.
    requires static transitive org.jspecify;

    exports dev.portcullis;
    exports dev.portcullis.spi;

    // Internals, only to the sibling module that needs them (OkHttp style): the benchmarks time the parsers, digests,
    // hasher and allowlists the stages run (and reach the package-private API through access). The SMTP adapter needs
    // none: it checks PROXY-protocol peers with the public TrustedProxies.trusts.
    exports dev.portcullis.internal.access to dev.portcullis.jmh;
    exports dev.portcullis.internal.wire to dev.portcullis.jmh;
    exports dev.portcullis.internal.crypto to dev.portcullis.jmh;
    exports dev.portcullis.internal.net to dev.portcullis.jmh;
}
