// parse_index's SAX fast path (index_sax.h). Reads the fields index.cc's document parse reads, with
// the same meaning (absent and null alike where that parse allows null, unknown keys ignored,
// `files` and `source` ignored unless objects), and gives up (nullopt) wherever that parse would
// fail or where matching it exactly would need the whole document (a known key given twice: the
// document keeps the last value). Giving up is always safe: the caller then parses the document.
#include "index_sax.h"

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reel/engine/names.h"

namespace reel {
namespace {

using json = nlohmann::ordered_json;

enum class Kind {
  kRoot,
  kVersions,
  kVersion,
  kDeps,
  kGroups,
  kArchive,
  kFiles,
  kSource,
  kYanked,
  kReview,
  kHistory,
  kRecord,
  kMeta,
  kSkip
};

struct Frame {
  explicit Frame(Kind k) : kind(k) {}
  Kind kind;
  std::string key;         // the member being read (objects)
  std::uint32_t seen = 0;  // known members already read (a second one gives up)
  std::vector<DependencySpec>* deps = nullptr;  // kDeps
  ReviewRecord* record = nullptr;               // kReview, kRecord
};

struct Scalar {
  enum Type { kNull, kBool, kUnsigned, kInteger, kFloat, kString } type;
  bool b = false;
  std::uint64_t u = 0;
  std::int64_t i = 0;
  double d = 0;
  std::string* s = nullptr;
};

class Handler {
 public:
  PackageIndex index;
  bool done = false;

  bool null() { return scalar({Scalar::kNull}); }
  bool boolean(bool v) {
    Scalar s{Scalar::kBool};
    s.b = v;
    return scalar(s);
  }
  bool number_integer(std::int64_t v) {
    Scalar s{Scalar::kInteger};
    s.i = v;
    return scalar(s);
  }
  bool number_unsigned(std::uint64_t v) {
    Scalar s{Scalar::kUnsigned};
    s.u = v;
    return scalar(s);
  }
  bool number_float(double v, const std::string&) {
    Scalar s{Scalar::kFloat};
    s.d = v;
    return scalar(s);
  }
  bool string(std::string& v) {
    Scalar s{Scalar::kString};
    s.s = &v;
    return scalar(s);
  }
  bool binary(json::binary_t&) { return false; }
  bool key(std::string& k) {
    if (stack_.empty()) return false;
    stack_.back().key = std::move(k);
    return true;
  }
  bool start_object(std::size_t) { return open(true); }
  bool start_array(std::size_t) { return open(false); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return false;
  }

 private:
  static bool mark(Frame& f, int bit) {
    if (f.seen & (1u << bit)) return false;
    f.seen |= 1u << bit;
    return true;
  }
  // A string or null into `out` (the document parse's optional strings).
  static bool opt_string(const Scalar& v, std::string& out) {
    if (v.type == Scalar::kNull) return true;
    if (v.type != Scalar::kString) return false;
    out = std::move(*v.s);
    return true;
  }
  void push(Kind kind) { stack_.push_back(Frame(kind)); }

  // A value inside metadata: added to the JSON being built at the current key or index.
  bool meta_value(json value) {
    json* parent = meta_.back();
    if (parent->is_object()) {
      (*parent)[stack_.back().key] = std::move(value);
      return true;
    }
    parent->push_back(std::move(value));
    return true;
  }
  json* meta_child(json value) {
    json* parent = meta_.back();
    if (parent->is_object()) {
      json& slot = (*parent)[stack_.back().key];
      slot = std::move(value);
      return &slot;
    }
    parent->push_back(std::move(value));
    return &parent->back();
  }

  bool scalar(const Scalar& v) {
    if (stack_.empty()) return false;  // the root is not an object
    Frame& f = stack_.back();
    const std::string& k = f.key;
    switch (f.kind) {
      case Kind::kSkip:
        return true;
      case Kind::kMeta: {
        json value;
        switch (v.type) {
          case Scalar::kNull:
            break;
          case Scalar::kBool:
            value = v.b;
            break;
          case Scalar::kUnsigned:
            value = v.u;
            break;
          case Scalar::kInteger:
            value = v.i;
            break;
          case Scalar::kFloat:
            value = v.d;
            break;
          case Scalar::kString:
            value = std::move(*v.s);
            break;
        }
        return meta_value(std::move(value));
      }
      case Kind::kRoot:
        if (k == "format") {
          if (!mark(f, 0)) return false;
          return (v.type == Scalar::kUnsigned && v.u == 1) ||
                 (v.type == Scalar::kInteger && v.i == 1) ||
                 (v.type == Scalar::kFloat && v.d == 1.0);
        }
        if (k == "name") {
          if (!mark(f, 1) || v.type != Scalar::kString || !check_package_name(*v.s)) return false;
          index.name = std::move(*v.s);
          return true;
        }
        return k != "versions";  // versions must be an array
      case Kind::kVersions:
        return false;  // each version must be an object
      case Kind::kVersion:
        return version_scalar(f, v);
      case Kind::kDeps: {
        if (v.type != Scalar::kString || !check_package_name(k)) return false;
        for (const auto& d : *f.deps)
          if (d.name == k) return false;  // a key given twice
        auto range = Range::parse(*v.s);
        if (!range) return false;
        f.deps->push_back(DependencySpec{k, std::move(*v.s), std::move(*range)});
        return true;
      }
      case Kind::kGroups:
        if (v.type != Scalar::kNull || entry_.groups.count(k)) return false;
        entry_.groups[k];
        return true;
      case Kind::kArchive:
        if (k == "path") {
          if (!mark(f, 0) || v.type != Scalar::kString) return false;
          entry_.archive.path = std::move(*v.s);
          return true;
        }
        if (k == "sha256") {
          if (!mark(f, 1) || v.type != Scalar::kString) return false;
          auto digest = Digest::from_hex(*v.s);
          if (!digest) return false;
          entry_.archive.sha256 = *digest;
          return true;
        }
        if (k == "size") {
          if (!mark(f, 2) || v.type != Scalar::kUnsigned) return false;
          entry_.archive.size = v.u;
          return true;
        }
        return true;
      case Kind::kFiles:
        if (k == "count" || k == "size") {
          if (!mark(f, k == "count" ? 0 : 1) || v.type != Scalar::kUnsigned) return false;
          (k == "count" ? entry_.file_count : entry_.file_size) = v.u;
        }
        return true;
      case Kind::kSource:
        if (k == "commit") return mark(f, 0) && opt_string(v, entry_.source.commit);
        if (k == "dirty") {
          if (!mark(f, 1)) return false;
          entry_.source.dirty = v.type == Scalar::kBool && v.b;
        }
        return true;
      case Kind::kYanked: {
        int bit = k == "reason" ? 0 : k == "by" ? 1 : k == "at" ? 2 : -1;
        if (bit < 0) return true;
        std::string& out = bit == 0   ? entry_.yank->reason
                           : bit == 1 ? entry_.yank->by
                                      : entry_.yank->at;
        return mark(f, bit) && opt_string(v, out);
      }
      case Kind::kReview:
      case Kind::kRecord:
        if (k == "state") {
          if (!mark(f, 0) || v.type != Scalar::kString) return false;
          auto state = parse_review_state(*v.s);
          if (!state) return false;
          f.record->state = *state;
          return true;
        }
        if (k == "by") return mark(f, 1) && opt_string(v, f.record->by);
        if (k == "at") return mark(f, 2) && opt_string(v, f.record->at);
        if (k == "note") return mark(f, 3) && opt_string(v, f.record->note);
        if (f.kind == Kind::kReview && k == "history") return mark(f, 4) && v.type == Scalar::kNull;
        return true;
      case Kind::kHistory:
        return false;  // each record must be an object
    }
    return false;
  }

  // Members of a version: bit 0 version, 1 type, 2 dependencies, 3 dependency-groups, 4 archive,
  // 5 files, 6 published, 7 source, 8 yanked, 9 review, 10 unresolved, 11 metadata.
  bool version_scalar(Frame& f, const Scalar& v) {
    const std::string& k = f.key;
    if (k == "version") {
      if (!mark(f, 0) || v.type != Scalar::kString) return false;
      auto parsed = Version::parse(*v.s);
      if (!parsed) return false;
      entry_.version = std::move(*parsed);
      return true;
    }
    if (k == "type") return mark(f, 1) && opt_string(v, entry_.type);
    if (k == "dependencies") return mark(f, 2) && v.type == Scalar::kNull;
    if (k == "dependency-groups") return mark(f, 3) && v.type == Scalar::kNull;
    if (k == "archive") return false;
    if (k == "files") return mark(f, 5);  // not an object: ignored
    if (k == "published") return mark(f, 6) && opt_string(v, entry_.published);
    if (k == "source") return mark(f, 7);  // not an object: ignored
    if (k == "yanked") {
      if (!mark(f, 8)) return false;
      if (v.type == Scalar::kNull) return true;
      if (v.type != Scalar::kBool) return false;
      entry_.yanked = v.b;
      if (v.b) entry_.yank = YankRecord{};
      return true;
    }
    if (k == "review") {  // null: predates the review workflow, as when absent
      if (!mark(f, 9) || v.type != Scalar::kNull) return false;
      entry_.review.current.state = ReviewState::kApproved;
      return true;
    }
    if (k == "unresolved") {
      if (!mark(f, 10)) return false;
      if (v.type == Scalar::kNull) return true;
      if (v.type != Scalar::kBool) return false;
      entry_.unresolved = v.b;
      return true;
    }
    if (k == "metadata") return mark(f, 11) && v.type == Scalar::kNull;
    return true;
  }

  bool open(bool object) {
    if (stack_.empty()) {
      if (!object || done) return false;
      push(Kind::kRoot);
      return true;
    }
    Frame& f = stack_.back();
    const std::string k = f.key;
    switch (f.kind) {
      case Kind::kSkip:
        push(Kind::kSkip);
        return true;
      case Kind::kMeta:
        meta_.push_back(meta_child(object ? json::object() : json::array()));
        push(Kind::kMeta);
        return true;
      case Kind::kRoot:
        if (k == "versions") {
          if (object || !mark(f, 2)) return false;
          push(Kind::kVersions);
          return true;
        }
        if (k == "format" || k == "name") return false;
        push(Kind::kSkip);
        return true;
      case Kind::kVersions:
        if (!object) return false;
        entry_ = IndexEntry{};
        push(Kind::kVersion);
        return true;
      case Kind::kVersion:
        return version_open(f, k, object);
      case Kind::kDeps:
        return false;
      case Kind::kGroups: {
        if (!object || entry_.groups.count(k)) return false;
        Frame deps{Kind::kDeps};
        deps.deps = &entry_.groups[k];
        stack_.push_back(std::move(deps));
        return true;
      }
      case Kind::kArchive:
        if (k == "path" || k == "sha256" || k == "size") return false;
        push(Kind::kSkip);
        return true;
      case Kind::kFiles:
        if (k == "count" || k == "size") return false;
        push(Kind::kSkip);
        return true;
      case Kind::kSource:
        if (k == "commit") return false;
        if (k == "dirty" && !mark(f, 1)) return false;
        push(Kind::kSkip);
        return true;
      case Kind::kYanked:
        if (k == "reason" || k == "by" || k == "at") return false;
        push(Kind::kSkip);
        return true;
      case Kind::kReview:
      case Kind::kRecord:
        if (k == "state" || k == "by" || k == "at" || k == "note") return false;
        if (f.kind == Kind::kReview && k == "history") {
          if (object || !mark(f, 4)) return false;
          push(Kind::kHistory);
          return true;
        }
        push(Kind::kSkip);
        return true;
      case Kind::kHistory: {
        if (!object) return false;
        entry_.review.history.emplace_back();
        Frame rec{Kind::kRecord};
        rec.record = &entry_.review.history.back();
        stack_.push_back(std::move(rec));
        return true;
      }
    }
    return false;
  }

  bool version_open(Frame& f, const std::string& k, bool object) {
    auto member = [&](int bit, Kind kind) {
      if (!object || !mark(f, bit)) return false;
      push(kind);
      return true;
    };
    if (k == "version" || k == "type" || k == "published" || k == "unresolved") return false;
    if (k == "dependencies") {
      if (!object || !mark(f, 2)) return false;
      Frame deps{Kind::kDeps};
      deps.deps = &entry_.dependencies;
      stack_.push_back(std::move(deps));
      return true;
    }
    if (k == "dependency-groups") return member(3, Kind::kGroups);
    if (k == "archive") return member(4, Kind::kArchive);
    if (k == "files" || k == "source") {
      if (!mark(f, k == "files" ? 5 : 7)) return false;
      push(object ? (k == "files" ? Kind::kFiles : Kind::kSource) : Kind::kSkip);
      return true;
    }
    if (k == "yanked") {
      if (!member(8, Kind::kYanked)) return false;
      entry_.yanked = true;
      entry_.yank = YankRecord{};
      return true;
    }
    if (k == "review") {
      if (!object || !mark(f, 9)) return false;
      Frame review{Kind::kReview};
      review.record = &entry_.review.current;
      stack_.push_back(std::move(review));
      return true;
    }
    if (k == "metadata") {
      if (!object || !mark(f, 11)) return false;
      meta_root_ = json::object();
      meta_.assign(1, &meta_root_);
      push(Kind::kMeta);
      return true;
    }
    push(Kind::kSkip);
    return true;
  }

  bool close() {
    if (stack_.empty()) return false;
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    switch (f.kind) {
      case Kind::kSkip:
        return true;
      case Kind::kMeta:
        meta_.pop_back();
        if (meta_.empty() && !meta_root_.empty()) entry_.metadata_json = meta_root_.dump();
        return true;
      case Kind::kRoot:
        if ((f.seen & 7u) != 7u) return false;  // format, name and versions are required
        std::sort(index.versions.begin(), index.versions.end(),
                  [](const IndexEntry& a, const IndexEntry& b) { return a.version < b.version; });
        done = true;
        return true;
      case Kind::kVersions:
        return true;
      case Kind::kVersion:
        if (!(f.seen & 1u) || !(f.seen & (1u << 4))) return false;  // version, archive
        if (!(f.seen & (1u << 9))) entry_.review.current.state = ReviewState::kApproved;
        index.versions.push_back(std::move(entry_));
        return true;
      case Kind::kDeps:
        std::sort(f.deps->begin(), f.deps->end(),
                  [](const DependencySpec& a, const DependencySpec& b) {
                    return lower_name(a.name) < lower_name(b.name);
                  });
        return true;
      case Kind::kArchive:
        return (f.seen & 7u) == 7u;  // path, sha256, size
      case Kind::kReview:
      case Kind::kRecord:
        if (!(f.seen & 1u)) return false;  // state
        return !(f.record->state == ReviewState::kRejected && f.record->note.empty());
      case Kind::kGroups:
      case Kind::kFiles:
      case Kind::kSource:
      case Kind::kYanked:
      case Kind::kHistory:
        return true;
    }
    return false;
  }

  std::vector<Frame> stack_;
  IndexEntry entry_;
  json meta_root_;
  std::vector<json*> meta_;
};

}  // namespace

std::optional<PackageIndex> parse_index_sax(std::string_view text) {
  Handler handler;
  bool ok = false;
  try {
    ok = json::sax_parse(text.begin(), text.end(), &handler);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (!ok || !handler.done) return std::nullopt;
  return std::move(handler.index);
}

}  // namespace reel
