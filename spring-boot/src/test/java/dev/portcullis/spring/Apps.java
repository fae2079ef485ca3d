package dev.portcullis.spring;

/** Auto-configurations a test leaves out because the test class path has them for other tests. */
final class Apps {
    private Apps() {}

    static final String SECURITY = "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration,"
            + "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration,"
            + "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration,"
            + "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration";
    static final String DATA_SOURCE = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration";
    static final String REDIS = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration";
    /** Faster Argon2 for the SMTP logins of tests (the OWASP minimum costs ~30 ms a login). */
    static final String FAST_ARGON2 = "portcullis.argon2.memory-kib=1024";
    static final String FAST_ARGON2_T = "portcullis.argon2.iterations=1";
}
