/**
 * How figures are written in RESULTS.md. A missing figure (NaN) is always
 * written as an em dash, never as 0.
 * @module
 */

export const MISSING = '—';
export const MIB = 1024 * 1024;

function finite(value: number, render: (v: number) => string): string {
  return Number.isFinite(value) ? render(value) : MISSING;
}

/** 12345.6 -> "12,346". */
export const fmtInt = (value: number): string => finite(value, (v) => Math.round(v).toLocaleString('en-US'));

export const fmtFixed = (digits: number) => (value: number): string => finite(value, (v) => v.toFixed(digits));

/** Bytes -> MiB with one decimal. */
export const fmtMiB = (bytes: number): string => finite(bytes, (v) => (v / MIB).toFixed(1));

/** Bytes -> MB (10^6) with one decimal. */
export const fmtMB = (bytes: number): string => finite(bytes, (v) => (v / 1e6).toFixed(1));

/** Bytes per second -> MB/s (10^6) with one decimal. */
export const fmtMBps = (bytesPerS: number): string => finite(bytesPerS, (v) => (v / 1e6).toFixed(1));

/** Bytes per second -> GB/s (10^9) with two decimals. */
export const fmtGBps = (bytesPerS: number): string => finite(bytesPerS, (v) => (v / 1e9).toFixed(2));

/** Percent of one core, no decimals. */
export const fmtPercent = (value: number): string => finite(value, (v) => `${Math.round(v)}%`);

/** A ratio to the baseline: 0.8512 -> "0.85×". */
export const fmtRatio = (value: number): string => finite(value, (v) => `${v.toFixed(2)}×`);

/** Escapes a value for a Markdown table cell. */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
