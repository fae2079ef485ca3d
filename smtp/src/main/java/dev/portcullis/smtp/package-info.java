/**
 * Portcullis for SubEthaSMTP servers: {@link dev.portcullis.smtp.PortcullisSmtp#configure} makes
 * AUTH PLAIN and LOGIN run through the core's SASL engine (TLS first), authorizes every MAIL FROM
 * domain against the principal's {@code messages:send} grants, limits recipients, and reads the
 * PROXY protocol from trusted peers only. See {@code docs/integration-smtp.md}.
 */
package dev.portcullis.smtp;
