// A bounded ring of scrapes and what is computed over it: counter rates and histogram quantiles,
// as Prometheus' rate() and histogram_quantile() would.

export class History {
  // Holds the last `capacity` samples, each { t: milliseconds, values: { signal: data } }.
  constructor(capacity) {
    this.capacity = capacity;
    this.samples = [];
  }

  push(sample) {
    this.samples.push(sample);
    if (this.samples.length > this.capacity) this.samples.shift();
  }

  clear() {
    this.samples = [];
  }

  get latest() {
    return this.samples.at(-1);
  }

  // The index of the earliest sample at most `windowMs` older than sample `i` (never `i`
  // itself), or -1 for the first sample.
  windowStart(i, windowMs) {
    if (i <= 0) return -1;
    let j = i - 1;
    while (j > 0 && this.samples[i].t - this.samples[j - 1].t <= windowMs) j--;
    return j;
  }
}

// Per-second increase of each counter (Map key -> value) from `before` to `after`. A series that
// appears only in `after` started at 0 (this process creates series on first use); a counter
// never decreases within one process, so a decrease counts as none.
export function rates(before, after, seconds) {
  const out = new Map();
  if (!(seconds > 0)) return out;
  for (const [key, value] of after) {
    out.set(key, Math.max(0, value - (before.get(key) ?? 0)) / seconds);
  }
  return out;
}

// Adds each group's buckets' increase from `before` to `after` (both Map group -> Map le ->
// cumulative count) into one histogram: Map le -> count, for groups where include(group) holds.
export function bucketIncrease(before, after, include = () => true) {
  const merged = new Map();
  for (const [group, buckets] of after) {
    if (!include(group)) continue;
    const previous = before.get(group);
    for (const [le, count] of buckets) {
      const increase = Math.max(0, count - (previous?.get(le) ?? 0));
      merged.set(le, (merged.get(le) ?? 0) + increase);
    }
  }
  return merged;
}

// The q-quantile of a histogram (Map le -> cumulative count), interpolated linearly within its
// bucket; NaN when it holds no observation. Observations above the last finite bound give that
// bound, as histogram_quantile() does.
export function quantile(q, buckets) {
  const sorted = [...buckets]
    .map(([le, count]) => [le === '+Inf' ? Infinity : Number(le), count])
    .filter(([le]) => !Number.isNaN(le))
    .sort((a, b) => a[0] - b[0]);
  if (sorted.length === 0 || sorted.at(-1)[0] !== Infinity) return NaN;
  // Cumulative counts summed over groups stay monotonic; enforce it against rounding anyway.
  for (let i = 1; i < sorted.length; i++) sorted[i][1] = Math.max(sorted[i][1], sorted[i - 1][1]);
  const total = sorted.at(-1)[1];
  if (!(total > 0)) return NaN;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const [le, count] of sorted) {
    if (count >= rank && count > below) {
      if (le === Infinity) return lower;
      return lower + ((le - lower) * (rank - below)) / (count - below);
    }
    lower = le;
    below = count;
  }
  return lower;
}
