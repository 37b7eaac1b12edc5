// Small statistics and formatting helpers: the machine is noisy, so every figure is a median or a
// percentile over many samples, never a single run.

export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export const median = (values) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** "12.3 ms" / "4.56 s", picking the unit so the figure stays readable. */
export function ms(value) {
  if (value === undefined || value === null || Number.isNaN(value)) return "n/a";
  if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`;
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  if (value >= 10) return `${value.toFixed(0)} ms`;
  if (value >= 1) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(2)} ms`;
}

export function bytes(value) {
  if (value >= 1024 * 1024) return `${(value / 1024 / 1024).toFixed(1)} MiB`;
  if (value >= 1024) return `${(value / 1024).toFixed(1)} KiB`;
  return `${value} B`;
}

/** ours / baseline as "0.12×"; n/a when either side is missing. */
export function ratio(ours, baseline) {
  if (!Number.isFinite(ours) || !Number.isFinite(baseline) || baseline === 0) return "n/a";
  const r = ours / baseline;
  return `${r >= 10 ? r.toFixed(0) : r >= 0.01 ? r.toFixed(2) : Number(r.toPrecision(2))}×`;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
