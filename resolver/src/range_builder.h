// Access to Range's canonical representation for the resolver's own files (a friend of Range).
#pragma once

#include <string>

#include "reel/resolver/range.h"
#include "span_set.h"

namespace reel {

struct RangeBuilder {
  static Range make(detail::Spans releases, detail::Spans prereleases, std::string source = {}) {
    Range r;
    r.releases_ = std::move(releases);
    r.prereleases_ = std::move(prereleases);
    r.source_ = std::move(source);
    return r;
  }
};

}  // namespace reel
