package dev.portcullis.internal.access;

/**
 * Holds the one {@link ApiAccess}. {@code dev.portcullis}'s implementation installs itself from its
 * static initializer; {@link #get()} initializes that class first if nothing has touched it yet, so
 * an internal class may read the bridge in its own static initializer:
 * {@code private static final ApiAccess API = Api.get();}.
 */
public final class Api {
    private static final String IMPLEMENTATION = "dev.portcullis.InternalAccess";
    private static volatile ApiAccess access;

    private Api() {
    }

    /** Called once, by the implementation's static initializer. */
    public static void install(ApiAccess a) {
        synchronized (Api.class) {
            if (access != null) {
                throw new IllegalStateException("the API access is installed already");
            }
            access = a;
        }
    }

    public static ApiAccess get() {
        ApiAccess a = access;
        if (a == null) {
            try {
                Class.forName(IMPLEMENTATION, true, Api.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(IMPLEMENTATION + " is missing", e);
            }
            a = access;
            if (a == null) {
                throw new IllegalStateException(IMPLEMENTATION + " did not install the API access");
            }
        }
        return a;
    }
}
