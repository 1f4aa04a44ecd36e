#include "ops/metrics.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <mutex>
#include <stdexcept>
#include <unordered_map>
#include <utility>

namespace sluice::ops {

// Hot-path design: every cell has exactly one writer, the thread owning its shard, so an update
// is a relaxed atomic load plus a relaxed store: no lock and no read-modify-write instruction.
// The scraper reads cells with relaxed loads (8-byte lock-free atomics cannot tear). A shard's
// mutex is taken by its owner only to publish a new series (once per series per thread) and by
// the scraper to walk the series list, so a scrape never stalls an event loop's updates. A mutex
// per update would cost two uncontended RMWs and block the owner for the length of a scrape.
static_assert(std::atomic<double>::is_always_lock_free);
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);

// ---- Text format -------------------------------------------------------------------------------

void append_metric_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[32];
  std::to_chars_result r;
  // Integers below 2^53 are exact in a double: print 1000000, not the shorter "1e+06".
  if (v == std::trunc(v) && std::fabs(v) < 9007199254740992.0) {
    r = std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(v));
  } else {
    r = std::to_chars(buf, buf + sizeof buf, v);  // shortest form that round-trips
  }
  out.append(buf, r.ptr);
}

// Label values escape \ " and newline; HELP text escapes only \ and newline (format 0.0.4).
void append_metric_escaped(std::string& out, std::string_view s, bool is_label_value) {
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && is_label_value) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

namespace {

// The text format 0.0.4, as /metrics serves it.
class TextSink final : public MetricSink {
 public:
  explicit TextSink(std::string& out) : out_(out) {}

  void family(std::string_view name, std::string_view help, std::string_view type) override {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    append_metric_escaped(out_, help, false);
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }

  // name{labels[0].first="labels[0].second",...} value
  void sample(std::string_view name, std::span<const SampleLabel> labels, double value) override {
    out_ += name;
    if (!labels.empty()) {
      out_ += '{';
      for (std::size_t i = 0; i < labels.size(); ++i) {
        if (i > 0) out_ += ',';
        out_ += labels[i].first;
        out_ += "=\"";
        append_metric_escaped(out_, labels[i].second, true);
        out_ += '"';
      }
      out_ += '}';
    }
    out_ += ' ';
    append_metric_number(out_, value);
    out_ += '\n';
  }

 private:
  std::string& out_;
};

// Turns a family's series into samples: its label names paired with a series' values, plus `le`
// on buckets. Buffers are reused across the samples of one family.
class SeriesWriter {
 public:
  SeriesWriter(MetricSink& sink, std::string_view family, const std::vector<std::string>& names)
      : sink_(sink), family_(family), names_(names) {}

  void write(std::string_view suffix, const std::vector<std::string>& values, const double* le,
             double value) {
    name_.assign(family_);
    name_ += suffix;
    labels_.clear();
    for (std::size_t i = 0; i < names_.size(); ++i) labels_.emplace_back(names_[i], values[i]);
    if (le != nullptr) {
      le_text_.clear();
      append_metric_number(le_text_, *le);
      labels_.emplace_back("le", le_text_);
    }
    sink_.sample(name_, labels_, value);
  }

 private:
  MetricSink& sink_;
  const std::string_view family_;
  const std::vector<std::string>& names_;
  std::string name_;
  std::string le_text_;
  std::vector<SampleLabel> labels_;
};

bool is_name_char(char c, bool allow_colon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         (allow_colon && c == ':') || (c >= '0' && c <= '9');
}

bool valid_name(std::string_view n, bool allow_colon) {
  if (n.empty() || (n[0] >= '0' && n[0] <= '9')) return false;
  return std::all_of(n.begin(), n.end(), [&](char c) { return is_name_char(c, allow_colon); });
}

bool ends_with_total(std::string_view n) { return n.ends_with("_total"); }

// ---- Label keys --------------------------------------------------------------------------------

// Hashing the views (no copy, no allocation); a hit is confirmed by comparing the stored values.
std::uint64_t hash_values(Labels values) {
  std::uint64_t h = 0x9e3779b97f4a7c15ull;
  for (std::string_view v : values) {
    std::uint64_t hv = std::hash<std::string_view>{}(v);
    h ^= hv + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  }
  return h;
}

bool same_values(const std::vector<std::string>& stored, Labels values) {
  const std::string_view* v = values.begin();
  for (const std::string& s : stored) {
    if (s != *v++) return false;
  }
  return true;
}

using Key = std::vector<std::string>;

Key make_key(Labels values) { return Key(values.begin(), values.end()); }

// ---- Cells -------------------------------------------------------------------------------------

// Single-writer add: see the design note at the top of the file.
inline void owner_add(std::atomic<double>& cell, double delta) {
  cell.store(cell.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
}

struct ScalarCell {
  explicit ScalarCell(size_t /*buckets*/) {}
  std::atomic<double> value{0.0};
};

struct HistogramCell {
  // counts[i] holds observations in (bounds[i-1], bounds[i]]; the last one is above every bound.
  // Kept per bucket, not cumulative, so one observation is one store; render accumulates.
  explicit HistogramCell(size_t buckets)
      : counts(std::make_unique<std::atomic<std::uint64_t>[]>(buckets)) {}
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts;
  std::atomic<double> sum{0.0};
};

// ---- Per-thread shards -------------------------------------------------------------------------

template <class Cell>
class Shard {
 public:
  // Owning thread only. Returns the series' cell, creating it on first use.
  Cell& cell(Labels values, size_t buckets) {
    const std::uint64_t h = hash_values(values);
    if (!slots_.empty()) {
      const size_t mask = slots_.size() - 1;
      for (size_t i = h & mask; slots_[i].series != nullptr; i = (i + 1) & mask) {
        if (slots_[i].hash == h && same_values(slots_[i].series->values, values)) {
          return slots_[i].series->cell;
        }
      }
    }
    return add(values, h, buckets);
  }

  // Any thread: visits every series published so far.
  template <class F>
  void for_each(F&& visit) const {
    std::lock_guard lock(mu_);
    for (const auto& s : series_) visit(s->values, s->cell);
  }

 private:
  // Own cache line, so that two threads' cells never share one.
  struct alignas(64) Series {
    Series(Labels v, size_t buckets) : values(make_key(v)), cell(buckets) {}
    Key values;
    Cell cell;
  };
  struct Slot {
    std::uint64_t hash = 0;
    Series* series = nullptr;
  };

  Cell& add(Labels values, std::uint64_t h, size_t buckets) {
    auto owned = std::make_unique<Series>(values, buckets);
    Series* s = owned.get();
    {
      std::lock_guard lock(mu_);
      series_.push_back(std::move(owned));
    }
    if (series_.size() * 2 > slots_.size()) rehash(std::max<size_t>(8, slots_.size() * 2));
    insert(h, s);
    return s->cell;
  }

  void rehash(size_t capacity) {
    std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(capacity));
    for (const Slot& slot : old) {
      if (slot.series != nullptr) insert(slot.hash, slot.series);
    }
  }

  void insert(std::uint64_t h, Series* s) {
    const size_t mask = slots_.size() - 1;
    size_t i = h & mask;
    while (slots_[i].series != nullptr) i = (i + 1) & mask;
    slots_[i] = Slot{h, s};
  }

  // Open-addressing index read and written by the owner only, hence unlocked.
  std::vector<Slot> slots_;
  mutable std::mutex mu_;  // guards series_ (appended by the owner, walked by the scraper)
  std::vector<std::unique_ptr<Series>> series_;
};

// Family ids are never reused, so a thread's cache entry for a destroyed registry's family is
// never looked up again (a pointer key could be reused by a new family at the same address).
std::atomic<std::uint64_t> g_next_family_id{0};

// Per-thread: family id -> that thread's shard. A plain pointer keeps the hot-path TLS access
// free of the lazy-initialisation guard a thread_local vector would need.
thread_local std::vector<void*>* t_shards = nullptr;

struct ShardCacheOwner {
  ~ShardCacheOwner() {
    delete t_shards;
    t_shards = nullptr;
  }
};

[[gnu::noinline]] void*& grow_shard_cache(std::uint64_t id) {
  thread_local ShardCacheOwner owner;
  if (t_shards == nullptr) t_shards = new std::vector<void*>();
  t_shards->resize(std::max<size_t>(id + 1, t_shards->size() * 2), nullptr);
  return (*t_shards)[id];
}

inline void*& shard_slot(std::uint64_t id) {
  if (t_shards != nullptr && id < t_shards->size()) [[likely]] {
    return (*t_shards)[id];
  }
  return grow_shard_cache(id);
}

// The shards of one family, owned by the family so a thread's exit loses none of its counts.
template <class Cell>
class ShardSet {
 public:
  Shard<Cell>& local() {
    void*& slot = shard_slot(id_);
    if (slot == nullptr) [[unlikely]] {
      std::lock_guard lock(mu_);
      slot = shards_.emplace_back(std::make_unique<Shard<Cell>>()).get();
    }
    return *static_cast<Shard<Cell>*>(slot);
  }

  template <class F>
  void for_each_series(F&& visit) const {
    std::vector<const Shard<Cell>*> shards;
    {
      std::lock_guard lock(mu_);
      for (const auto& s : shards_) shards.push_back(s.get());
    }
    for (const Shard<Cell>* s : shards) s->for_each(visit);
  }

 private:
  const std::uint64_t id_ = g_next_family_id.fetch_add(1, std::memory_order_relaxed);
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Shard<Cell>>> shards_;
};

// ---- Families ----------------------------------------------------------------------------------

enum class Kind { counter, gauge, histogram };

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::counter:
      return "counter";
    case Kind::gauge:
      return "gauge";
    case Kind::histogram:
      return "histogram";
  }
  return "untyped";
}

class FamilyBase {
 public:
  FamilyBase(Kind kind, std::string name, std::string help, std::vector<std::string> labels)
      : kind_(kind), name_(std::move(name)), help_(std::move(help)), labels_(std::move(labels)) {}
  virtual ~FamilyBase() = default;

  Kind kind() const { return kind_; }
  const std::vector<std::string>& label_names() const { return labels_; }

  void collect(MetricSink& sink) const {
    sink.family(name_, help_, kind_name(kind_));
    SeriesWriter writer(sink, name_, labels_);
    render_samples(writer);
  }

 protected:
  // A wrong number of label values is a caller bug; dropping the update keeps a mislabelled call
  // from crashing a serving process (and the missing series shows up in tests).
  bool arity_ok(Labels values) const { return values.size() == labels_.size(); }
  virtual void render_samples(SeriesWriter& out) const = 0;

  const Kind kind_;
  const std::string name_;
  const std::string help_;
  const std::vector<std::string> labels_;
};

class Counter final : public CounterFamily, public FamilyBase {
 public:
  using FamilyBase::FamilyBase;

  void inc(Labels values, double amount) override {
    // Counters only go up; a negative or NaN amount would make rate() see a reset.
    if (!arity_ok(values) || !(amount >= 0)) return;
    owner_add(shards_.local().cell(values, 0).value, amount);
  }

 private:
  void render_samples(SeriesWriter& out) const override {
    std::map<Key, double> merged;
    // An unlabelled series exists from registration, so rate() has a zero to start from.
    if (labels_.empty()) merged[Key{}] = 0;
    shards_.for_each_series([&](const Key& k, const ScalarCell& c) {
      merged[k] += c.value.load(std::memory_order_relaxed);
    });
    for (const auto& [k, v] : merged) out.write("", k, nullptr, v);
  }

  ShardSet<ScalarCell> shards_;
};

class Gauge final : public GaugeFamily, public FamilyBase {
 public:
  using FamilyBase::FamilyBase;

  void add(Labels values, double delta) override {
    if (!arity_ok(values)) return;
    owner_add(shards_.local().cell(values, 0).value, delta);
  }

  // set() is for state changes (circuit state, job counts), not per request: a shared lock is fine.
  void set(Labels values, double value) override {
    if (!arity_ok(values)) return;
    std::lock_guard lock(base_mu_);
    auto it = base_.find(values);
    if (it == base_.end()) {
      base_.emplace(make_key(values), value);
    } else {
      it->second = value;
    }
  }

 private:
  struct KeyLess {
    using is_transparent = void;
    bool operator()(const Key& a, const Key& b) const { return a < b; }
    bool operator()(const Key& a, Labels b) const {
      return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
    }
    bool operator()(Labels a, const Key& b) const {
      return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
    }
  };

  void render_samples(SeriesWriter& out) const override {
    std::map<Key, double> merged;
    if (labels_.empty()) merged[Key{}] = 0;
    {
      std::lock_guard lock(base_mu_);
      for (const auto& [k, v] : base_) merged[k] += v;
    }
    shards_.for_each_series([&](const Key& k, const ScalarCell& c) {
      merged[k] += c.value.load(std::memory_order_relaxed);
    });
    for (const auto& [k, v] : merged) out.write("", k, nullptr, v);
  }

  ShardSet<ScalarCell> shards_;
  mutable std::mutex base_mu_;
  std::map<Key, double, KeyLess> base_;
};

class Histogram final : public HistogramFamily, public FamilyBase {
 public:
  Histogram(Kind kind, std::string name, std::string help, std::vector<std::string> labels,
            std::vector<double> bounds)
      : FamilyBase(kind, std::move(name), std::move(help), std::move(labels)),
        bounds_(std::move(bounds)) {}

  void observe(Labels values, double value) override {
    if (!arity_ok(values) || std::isnan(value)) return;
    HistogramCell& cell = shards_.local().cell(values, bounds_.size() + 1);
    // First bound >= value: buckets are "less than or equal", as `le` says.
    size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
    std::atomic<std::uint64_t>& count = cell.counts[i];
    count.store(count.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    owner_add(cell.sum, value);
  }

 private:
  struct Merged {
    std::vector<std::uint64_t> counts;
    double sum = 0;
  };

  void render_samples(SeriesWriter& out) const override {
    const size_t n = bounds_.size() + 1;
    std::map<Key, Merged> merged;
    if (labels_.empty()) merged[Key{}].counts.resize(n);
    shards_.for_each_series([&](const Key& k, const HistogramCell& c) {
      Merged& m = merged[k];
      m.counts.resize(n);
      for (size_t i = 0; i < n; ++i) m.counts[i] += c.counts[i].load(std::memory_order_relaxed);
      m.sum += c.sum.load(std::memory_order_relaxed);
    });
    const double inf = std::numeric_limits<double>::infinity();
    for (const auto& [k, m] : merged) {
      // Cumulated here from per-bucket counts, so buckets are monotonic and +Inf equals _count
      // even when a scrape races an observation.
      std::uint64_t total = 0;
      for (size_t i = 0; i < n; ++i) {
        total += m.counts[i];
        const double* le = i < bounds_.size() ? &bounds_[i] : &inf;
        out.write("_bucket", k, le, static_cast<double>(total));
      }
      out.write("_sum", k, nullptr, m.sum);
      out.write("_count", k, nullptr, static_cast<double>(total));
    }
  }

  const std::vector<double> bounds_;
  ShardSet<HistogramCell> shards_;
};

// Registration mistakes are programming errors: fail loudly at startup, not at scrape time.
void validate(Kind kind, const std::string& name, const std::string& help,
              const std::vector<std::string>& labels) {
  auto fail = [&](const std::string& why) {
    throw std::invalid_argument("metric " + name + ": " + why);
  };
  if (!valid_name(name, true)) fail("invalid name (want [a-zA-Z_:][a-zA-Z0-9_:]*)");
  if (kind == Kind::counter && !ends_with_total(name)) fail("a counter's name must end in _total");
  if (kind != Kind::counter && ends_with_total(name)) fail("only counters may end in _total");
  if (help.empty()) fail("help text is required");
  for (size_t i = 0; i < labels.size(); ++i) {
    const std::string& l = labels[i];
    if (!valid_name(l, false) || l.starts_with("__")) fail("invalid label name '" + l + "'");
    if (kind == Kind::histogram && l == "le") fail("'le' is reserved in histograms");
    if (std::find(labels.begin(), labels.begin() + i, l) != labels.begin() + i) {
      fail("duplicate label name '" + l + "'");
    }
  }
}

}  // namespace

// ---- Registry ----------------------------------------------------------------------------------

struct Registry::Impl {
  // One entry per registration, in order: exactly one of the two is set.
  struct Entry {
    FamilyBase* family = nullptr;
    Collector collector;
  };

  template <class T, class... Extra>
  T& get_or_add(Kind kind, std::string name, std::string help, std::vector<std::string> labels,
                Extra&&... extra) {
    validate(kind, name, help, labels);
    std::lock_guard lock(mu);
    if (auto it = by_name.find(name); it != by_name.end()) {
      FamilyBase* f = it->second;
      if (f->kind() != kind || f->label_names() != labels) {
        throw std::invalid_argument("metric " + name + " re-registered with another type/labels");
      }
      return static_cast<T&>(*f);
    }
    auto family = std::make_unique<T>(kind, name, std::move(help), std::move(labels),
                                      std::forward<Extra>(extra)...);
    T& ref = *family;
    by_name.emplace(std::move(name), family.get());
    entries.push_back(Entry{family.get(), {}});
    families.push_back(std::move(family));
    return ref;
  }

  mutable std::mutex mu;
  std::vector<std::unique_ptr<FamilyBase>> families;
  std::unordered_map<std::string, FamilyBase*> by_name;
  std::vector<Entry> entries;
};

Registry::Registry() : impl_(std::make_unique<Impl>()) {}
Registry::~Registry() = default;

CounterFamily& Registry::counter(std::string name, std::string help,
                                 std::vector<std::string> labels) {
  return impl_->get_or_add<Counter>(Kind::counter, std::move(name), std::move(help),
                                    std::move(labels));
}

GaugeFamily& Registry::gauge(std::string name, std::string help, std::vector<std::string> labels) {
  return impl_->get_or_add<Gauge>(Kind::gauge, std::move(name), std::move(help), std::move(labels));
}

HistogramFamily& Registry::histogram(std::string name, std::string help,
                                     std::vector<std::string> labels,
                                     std::vector<double> bucket_bounds) {
  // +Inf is implicit; other bounds must be finite and strictly increasing for `le` to make sense.
  if (!bucket_bounds.empty() && std::isinf(bucket_bounds.back()) && bucket_bounds.back() > 0) {
    bucket_bounds.pop_back();
  }
  for (size_t i = 0; i < bucket_bounds.size(); ++i) {
    if (!std::isfinite(bucket_bounds[i]) || (i > 0 && bucket_bounds[i] <= bucket_bounds[i - 1])) {
      throw std::invalid_argument("metric " + name + ": bucket bounds must increase strictly");
    }
  }
  return impl_->get_or_add<Histogram>(Kind::histogram, std::move(name), std::move(help),
                                      std::move(labels), std::move(bucket_bounds));
}

void Registry::add_collector(Collector collector) {
  std::lock_guard lock(impl_->mu);
  impl_->entries.push_back(Impl::Entry{nullptr, std::move(collector)});
}

std::string Registry::render() const {
  std::string out;
  TextSink sink(out);
  collect(sink);
  return out;
}

void Registry::collect(MetricSink& sink) const {
  std::lock_guard lock(impl_->mu);
  for (const Impl::Entry& e : impl_->entries) {
    if (e.family != nullptr) {
      e.family->collect(sink);
    } else {
      e.collector(sink);
    }
  }
}

// ---- Collector helpers -------------------------------------------------------------------------

void write_family_header(MetricSink& out, std::string_view name, std::string_view help,
                         std::string_view type) {
  out.family(name, help, type);
}

void write_sample(MetricSink& out, std::string_view name, std::initializer_list<SampleLabel> labels,
                  double value) {
  out.sample(name, std::span<const SampleLabel>(labels.begin(), labels.size()), value);
}

std::vector<double> default_duration_buckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10};
}

}  // namespace sluice::ops
