package dev.portcullis.spring.boot;

import dev.portcullis.Portcullis;

/**
 * Adjusts the auto-configured {@link Portcullis} before it is built: the way to set what no property
 * names (a second pepper for rotation, a clock, imported keys, a refresh executor). Every bean of this
 * type is applied, in {@link org.springframework.core.annotation.Order @Order}, after the properties.
 * The builder's setters may each be called once: setting again what a property already set throws
 * {@link IllegalStateException} at startup, naming the setting.
 */
@FunctionalInterface
public interface PortcullisBuilderCustomizer {
    void customize(Portcullis.Builder builder);
}
