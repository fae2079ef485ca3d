/**
 * JMH benchmarks of the hot path, its hand-composed floor, the stages and the peers. The stages and
 * their parts are reached through core's qualified exports to this module
 * ({@code Automatic-Module-Name: dev.portcullis.jmh}), not through a split package.
 */
package dev.portcullis.jmh;
