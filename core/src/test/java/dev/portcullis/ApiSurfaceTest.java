package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.reflect.AnnotatedArrayType;
import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.AnnotatedWildcardType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The exported API, types and signatures, must equal {@code core/api/portcullis-core.api}: every
 * change to it is a reviewed diff of that file. After an intended change, regenerate the file
 * with {@code mvn -pl core test -Dtest=ApiSurfaceTest -Dportcullis.api.update=true} and commit it.
 * Nullness is part of the surface: every package is {@code @NullMarked}, so a type is non-null
 * unless the dump shows it {@code @Nullable}.
 */
class ApiSurfaceTest {
    /** The packages module-info exports to everyone. */
    static final List<String> EXPORTED = List.of("dev.portcullis", "dev.portcullis.spi");
    private static final Path FILE = Path.of("api", "portcullis-core.api");

    @Test
    void theExportedApiChangesOnlyWithItsDump() throws Exception {
        String actual = dump();
        if (Boolean.getBoolean("portcullis.api.update")) {
            Files.writeString(FILE, actual, StandardCharsets.UTF_8);
        }
        String expected = Files.exists(FILE) ? Files.readString(FILE, StandardCharsets.UTF_8) : "";
        assertEquals(expected, actual, "the exported API differs from " + FILE.toAbsolutePath()
                + "; if the change is intended, regenerate it with -Dportcullis.api.update=true and review the diff");
    }

    @Test
    void theApiPackageHasAtMost25PublicTopLevelTypes() throws Exception {
        long count = classes("dev.portcullis").stream().filter(c -> c.getEnclosingClass() == null).count();
        org.junit.jupiter.api.Assertions.assertTrue(count <= 25, "public top-level types in dev.portcullis: " + count);
    }

    static String dump() throws IOException, URISyntaxException {
        StringBuilder out = new StringBuilder();
        out.append("# The exported API of portcullis-core: public and protected types and members of ")
                .append(String.join(", ", EXPORTED)).append(".\n")
                .append("# Checked by ApiSurfaceTest in `mvn verify`; regenerate with -Dportcullis.api.update=true.\n")
                .append("# Once 0.1.0 is on Maven Central, japicmp (0.27.0) against the released artifact takes over\n")
                .append("# binary compatibility; this file stays as the readable record of the surface.\n");
        for (String pkg : EXPORTED) {
            for (Class<?> c : classes(pkg)) {
                out.append('\n').append(header(c)).append(" {\n");
                List<String> members = new ArrayList<>();
                for (Field f : c.getDeclaredFields()) {
                    if (visible(f.getModifiers()) && !f.isSynthetic()) {
                        members.add(mods(f.getModifiers() & ~Modifier.TRANSIENT) + name(f.getAnnotatedType()) + " " + f.getName());
                    }
                }
                for (Constructor<?> k : c.getDeclaredConstructors()) {
                    if (visible(k.getModifiers()) && !k.isSynthetic()) {
                        members.add(mods(k.getModifiers()) + c.getSimpleName() + params(k) + throwsOf(k));
                    }
                }
                for (Method m : c.getDeclaredMethods()) {
                    if (visible(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
                        int mods = m.getModifiers() & ~Modifier.TRANSIENT & ~Modifier.VOLATILE;
                        if (c.isInterface()) {
                            mods &= ~Modifier.PUBLIC & ~Modifier.ABSTRACT;
                        }
                        members.add((m.isDefault() ? "default " : "") + mods(mods) + typeParams(m) + name(m.getAnnotatedReturnType())
                                + " " + m.getName() + params(m) + throwsOf(m));
                    }
                }
                members.stream().sorted().forEach(s -> out.append("    ").append(s).append('\n'));
                out.append("}\n");
            }
        }
        return out.toString();
    }

    /** Public types of the package, nested public ones included, by name. */
    static List<Class<?>> classes(String pkg) throws IOException, URISyntaxException {
        Path root = Path.of(Portcullis.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path dir = root.resolve(pkg.replace('.', '/'));
        List<Class<?>> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".class")).collect(Collectors.toList())) {
                String simple = p.getFileName().toString().replace(".class", "");
                if (simple.equals("package-info") || simple.equals("module-info")) {
                    continue;
                }
                Class<?> c;
                try {
                    c = Class.forName(pkg + "." + simple, false, ApiSurfaceTest.class.getClassLoader());
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException(e);
                }
                if (c.isSynthetic() || c.isAnonymousClass() || c.isLocalClass() || !exported(c)) {
                    continue;
                }
                out.add(c);
            }
        }
        out.sort(Comparator.comparing(Class::getName));
        return out;
    }

    private static boolean exported(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers()) && !(k != c && Modifier.isProtected(k.getModifiers()))) {
                return false;
            }
        }
        return true;
    }

    private static boolean visible(int mods) {
        return Modifier.isPublic(mods) || Modifier.isProtected(mods);
    }

    private static String header(Class<?> c) {
        String kind = c.isAnnotation() ? "@interface" : c.isInterface() ? "interface" : c.isEnum() ? "enum" : c.isRecord() ? "record" : "class";
        int mods = c.getModifiers() & ~Modifier.INTERFACE & ~Modifier.ABSTRACT;
        if (c.isInterface() || c.isEnum() || c.isRecord()) {
            mods &= ~Modifier.STATIC & ~Modifier.FINAL;
        }
        if (!c.isInterface() && Modifier.isAbstract(c.getModifiers())) {
            mods |= Modifier.ABSTRACT;
        }
        StringBuilder h = new StringBuilder(mods(mods)).append(kind).append(' ').append(c.getName());
        if (c.getTypeParameters().length > 0) {
            h.append(Arrays.stream(c.getTypeParameters()).map(Type::getTypeName).collect(Collectors.joining(", ", "<", ">")));
        }
        Type sup = c.getGenericSuperclass();
        if (sup != null && sup != Object.class && !c.isEnum() && !c.isRecord()) {
            h.append(" extends ").append(name(sup));
        }
        Type[] ifaces = c.getGenericInterfaces();
        if (ifaces.length > 0) {
            h.append(c.isInterface() ? " extends " : " implements ")
                    .append(Arrays.stream(ifaces).map(ApiSurfaceTest::name).collect(Collectors.joining(", ")));
        }
        return h.toString();
    }

    private static String mods(int mods) {
        String s = Modifier.toString(mods);
        return s.isEmpty() ? "" : s + " ";
    }

    private static String typeParams(Method m) {
        if (m.getTypeParameters().length == 0) {
            return "";
        }
        return Arrays.stream(m.getTypeParameters()).map(Type::getTypeName).collect(Collectors.joining(", ", "<", "> "));
    }

    private static String params(Executable e) {
        Type[] ps = e.getGenericParameterTypes();
        AnnotatedType[] annotated = e.getAnnotatedParameterTypes();
        // Inner (non-static) classes' constructors name their outer instance first on some JDKs: then the two
        // arrays differ in length and the plain types are dumped.
        String joined = annotated.length == ps.length
                ? Arrays.stream(annotated).map(ApiSurfaceTest::name).collect(Collectors.joining(", "))
                : Arrays.stream(ps).map(ApiSurfaceTest::name).collect(Collectors.joining(", "));
        if (e.isVarArgs() && joined.endsWith("[]")) {
            joined = joined.substring(0, joined.length() - 2) + "...";
        }
        return "(" + joined + ")";
    }

    private static String throwsOf(Executable e) {
        Type[] ts = e.getGenericExceptionTypes();
        return ts.length == 0 ? "" : Arrays.stream(ts).map(ApiSurfaceTest::name).collect(Collectors.joining(", ", " throws ", ""));
    }

    /** A type as written in source, {@code @Nullable} included wherever it is, e.g. {@code List<@Nullable String>}. */
    private static String name(AnnotatedType t) {
        if (!marked(t)) {
            return name(t.getType());
        }
        String mark = t.isAnnotationPresent(Nullable.class) ? "@Nullable " : "";
        if (t instanceof AnnotatedArrayType a) {
            return name(a.getAnnotatedGenericComponentType()) + (mark.isEmpty() ? "[]" : " @Nullable []");
        }
        if (t instanceof AnnotatedParameterizedType p) {
            return mark + name(((ParameterizedType) p.getType()).getRawType())
                    + Arrays.stream(p.getAnnotatedActualTypeArguments()).map(ApiSurfaceTest::name).collect(Collectors.joining(", ", "<", ">"));
        }
        if (t instanceof AnnotatedWildcardType w) {
            AnnotatedType[] upper = w.getAnnotatedUpperBounds();
            AnnotatedType[] lower = w.getAnnotatedLowerBounds();
            return mark + (lower.length > 0 ? "? super " + name(lower[0])
                    : upper.length > 0 && upper[0].getType() != Object.class ? "? extends " + name(upper[0]) : "?");
        }
        return mark + name(t.getType());
    }

    /** Whether {@code @Nullable} stands on the type or anywhere inside it. */
    private static boolean marked(AnnotatedType t) {
        if (t.isAnnotationPresent(Nullable.class)) {
            return true;
        }
        if (t instanceof AnnotatedArrayType a) {
            return marked(a.getAnnotatedGenericComponentType());
        }
        if (t instanceof AnnotatedParameterizedType p) {
            return Arrays.stream(p.getAnnotatedActualTypeArguments()).anyMatch(ApiSurfaceTest::marked);
        }
        if (t instanceof AnnotatedWildcardType w) {
            return Stream.concat(Arrays.stream(w.getAnnotatedUpperBounds()), Arrays.stream(w.getAnnotatedLowerBounds()))
                    .anyMatch(ApiSurfaceTest::marked);
        }
        return false;
    }

    private static String name(Type t) {
        return t.getTypeName().replace("java.lang.", "").replace("java.util.", "");
    }
}
