/** Turns JMH's JSON results into the charts and tables of docs/benchmarks.md. */
package dev.portcullis.jmh.report;
