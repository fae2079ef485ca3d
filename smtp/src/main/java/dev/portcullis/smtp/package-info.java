/**
 * Portcullis for SubEthaSMTP servers: {@link dev.portcullis.smtp.PortcullisSmtp#configure} makes
 * AUTH PLAIN, LOGIN, OAUTHBEARER and XOAUTH2 run through the core's SASL engine (TLS first, RFC
 * 3207 to the letter), authorizes every MAIL FROM domain against the principal's
 * {@code messages:send} grants, limits recipients, and reads the PROXY protocol from trusted peers
 * only; {@link dev.portcullis.smtp.PortcullisSmtp#stop} drains sessions before stopping. See
 * {@code docs/integration-smtp.md}.
 */
package dev.portcullis.smtp;
