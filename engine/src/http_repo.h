// HTTP repos (docs/http.md): the repo layout read with plain GETs, published with PUT objects/...
// and POST publish/<Name>/<version> (reel serve). Private to the engine: reached via open_repo().
#pragma once

#include <memory>
#include <string>

#include "reel/engine/repo.h"

namespace reel {

// Opens the HTTP(S) repo at `url`: GETs reel-repo.json for its name. kNotFound (not a reel repo)
// if it has none, kInvalidArgument if it is malformed, the client's errors (kNetwork, ...) for a
// server that cannot be reached. Index files are cached with their ETags in
// options.http_cache_dir/<first 16 hex of sha256(url)>/index/ and revalidated with If-None-Match.
Result<std::unique_ptr<Repo>> open_http_repo(FileSystem& fs, const std::string& url,
                                             const RepoOpenOptions& options);

}  // namespace reel
