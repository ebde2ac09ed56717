// The -v / -vv lines and counts of the repos (storage/detail.h), shared by folder_repo.cc and
// http_repo.cc so both say an index read the same way.
#pragma once

#include <string>
#include <string_view>

#include "reel/engine/index_cache.h"
#include "reel/storage/detail.h"

namespace reel {

// Counts one index file read from repo `repo` (its name in reel-repo.json) and, at -vv, says
// where it came from: "index table.json (repo blessed): index cache (stat)". `http_status` is
// the GET's status for an HTTP repo (304: not modified), 0 for a folder repo. `sink` may be null.
inline void report_index_read(DetailSink* sink, std::string_view repo, std::string_view file,
                              IndexSource source, long http_status) {
  if (sink == nullptr) return;
  DetailCounters& c = sink->counters();
  count(c.index_files);
  switch (source) {
    case IndexSource::kCacheByStat:
      count(c.index_cache_stat);
      break;
    case IndexSource::kCacheByDigest:
      count(c.index_cache_digest);
      break;
    case IndexSource::kParsed:
      count(c.index_parsed);
      break;
  }
  if (http_status == 304)
    count(c.index_not_modified);
  else if (http_status != 0)
    count(c.index_fetched);
  if (!sink->detail_on(2)) return;
  std::string line = "index " + std::string(file) + " (repo " + std::string(repo) + "): ";
  if (http_status == 304)
    line += "HTTP 304 not modified, ";
  else if (http_status != 0)
    line += "HTTP " + std::to_string(http_status) + " fetched, ";
  line += source == IndexSource::kCacheByStat     ? "index cache (stat)"
          : source == IndexSource::kCacheByDigest ? "index cache (digest)"
                                                  : "parsed";
  sink->detail(2, line);
}

}  // namespace reel
