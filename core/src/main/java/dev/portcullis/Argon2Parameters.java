package dev.portcullis;

/**
 * Argon2id cost parameters for SMTP and other human-chosen passwords.
 *
 * @param memoryKiB memory cost in KiB
 * @param iterations time cost
 * @param parallelism lanes
 */
public record Argon2Parameters(int memoryKiB, int iterations, int parallelism) {
    /** The OWASP Password Storage Cheat Sheet minimum, the default: m=19456 KiB, t=2, p=1. */
    public static final Argon2Parameters OWASP_MINIMUM = new Argon2Parameters(19456, 2, 1);

    /**
     * @throws IllegalArgumentException for values Argon2 itself rejects (t &lt; 1, p &lt; 1,
     *     m &lt; 8·p KiB). Values below {@link #OWASP_MINIMUM} are allowed for tests only.
     */
    public Argon2Parameters {
        if (iterations < 1 || parallelism < 1 || parallelism > 64 || memoryKiB < 8 * parallelism) {
            throw new IllegalArgumentException(
                    "invalid Argon2 parameters: m=" + memoryKiB + " KiB, t=" + iterations + ", p=" + parallelism);
        }
    }

    /** The parameter part of a PHC string, e.g. {@code m=19456,t=2,p=1}. */
    @Override
    public String toString() {
        return "m=" + memoryKiB + ",t=" + iterations + ",p=" + parallelism;
    }
}
