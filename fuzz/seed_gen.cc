// reel-fuzz-seeds CORPUS_DIR: writes the generated seeds of fuzz/corpus/ (fuzz/README.md), made
// with reel's own writers so they are valid and reach deep into the readers:
//   fuzz_package/gen-*.reel       package archives (write_archive of asset.toml + files.json)
//   fuzz_bundle/gen-*.tar.zst     bundles in bundle.h's layout (TarWriter), whose digests, index
//                                 entries and lock all agree, so import_bundle succeeds on them
//   fuzz_serve/gen-*.http         raw requests with bodies: an object PUT, then (a bigger input, so
//                                 libFuzzer runs it later) the publish POST that needs the object
//   fuzz_{index,lock_file,workspace_config,files_json,requirements}/gen-*   the same data as text
//   fuzz_index_cache/gen-*        index cache files and bare payloads (index_cache.h) of that
//                                 index, one with review history and a yank record, and its JSON
// Every output is deterministic (archives have fixed metadata), so rerunning it after a format
// change shows the change as a diff. Exit code 1 with a message on any error.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "reel/engine/index.h"
#include "reel/engine/index_cache.h"
#include "reel/engine/lock_file.h"
#include "reel/engine/names.h"
#include "reel/engine/package.h"
#include "reel/storage/archive.h"
#include "reel/storage/tar_stream.h"
#include "reel/workspace/bundle.h"
#include "reel/workspace/config.h"
#include "reel/workspace/inspect.h"

namespace {

using namespace reel;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "reel-fuzz-seeds: %s\n", what.c_str());
  std::exit(1);
}

std::string message(const Error& e) { return e.message; }
std::string message(const ParseError& e) { return e.to_string(); }

template <class T, class E>
T must(tl::expected<T, E> r, const std::string& what) {
  if (!r) die(what + ": " + message(r.error()));
  return std::move(*r);
}
void must(const Status& s, const std::string& what) {
  if (!s) die(what + ": " + s.error().message);
}

void write(const fs::path& path, const std::string& data) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << data;
  if (!out) die("cannot write " + path.string());
  std::printf("%s (%zu bytes)\n", path.c_str(), data.size());
}

std::string object_path(const Digest& d) {
  return "objects/sha256/" + d.hex().substr(0, 2) + "/" + d.hex().substr(2);
}

// One package: its content files (path -> bytes), manifest text and dependencies.
struct Package {
  std::string name, version, manifest;
  std::map<std::string, std::string> files;
  std::vector<std::string> dependencies;
  // Filled by build():
  std::vector<FileEntry> entries = {};
  std::string archive = {};
  Digest digest = {};
};

void build(Package& p) {
  for (const auto& [path, data] : p.files)
    p.entries.push_back(FileEntry{path, sha256_bytes(data), data.size(), false, std::nullopt});
  p.archive = must(write_archive({{"asset.toml", p.manifest},
                                  {"files.json", serialize_files_json(p.entries)}}),
                   "archive of " + p.name);
  p.digest = sha256_bytes(p.archive);
}

std::string archive_path(const Package& p) {
  return "packages/" + lower_name(p.name) + "/" + p.name + "-" + p.version + ".reel";
}

PackageIndex index_of(const Package& p) {
  IndexEntry e;
  e.version = must(Version::parse(p.version), "version");
  e.type = "prop";
  for (const auto& d : p.dependencies)
    e.dependencies.push_back(DependencySpec{d, ">=1", must(Range::parse(">=1"), "range")});
  e.archive = ArchiveRef{archive_path(p), p.digest, p.archive.size()};
  e.file_count = p.entries.size();
  for (const auto& f : p.entries) e.file_size += f.size;
  e.published = "2026-11-20T10:00:00Z";
  return PackageIndex{p.name, {e}};
}

Package table() {
  return Package{"Table",
                 "1.0.0",
                 "[asset]\nname = \"Table\"\nversion = \"1.0.0\"\ntype = \"prop\"\n\n"
                 "[dependencies]\nLeg = \">=1\"\n",
                 {{"table.obj", "# Table: a box mesh\no Table\nv 0 0 0\nv 1 0 0\nv 1 1 0\nf 1 2 3\n"},
                  {"textures/wood.mtl", "newmtl wood\nKd 0.6 0.4 0.2\n"}},
                 {"Leg"}};
}

Package leg() {
  return Package{"Leg",
                 "1.0.0",
                 "[asset]\nname = \"Leg\"\nversion = \"1.0.0\"\ntype = \"prop\"\n",
                 {{"leg.obj", "o Leg\nv 0 0 0\nv 0 1 0\nv 0 0 1\nf 1 2 3\n"}},
                 {}};
}

// A bundle of `packages` (bundle.h's layout, members sorted by path) written to `dest`.
void write_bundle(FileSystem& fs, const std::vector<Package>& packages, const fs::path& dest) {
  std::map<std::string, std::string> members;
  members["reel-repo.json"] = "{\"format\": 1, \"name\": \"bundle\"}\n";
  LockFile lock;
  WorkspaceConfig config;
  config.name = "farm";
  config.repos.push_back(RepoConfig{"blessed", "/studio/blessed", true, true, "", ""});
  for (const auto& p : packages) {
    members["index/" + lower_name(p.name) + ".json"] = serialize_index(index_of(p));
    members[archive_path(p)] = p.archive;
    for (const auto& [path, data] : p.files) members[object_path(sha256_bytes(data))] = data;
    lock.packages.push_back(LockedPackage{p.name, must(Version::parse(p.version), "version"),
                                          "blessed", p.digest, p.dependencies});
  }
  lock.requirements = {{packages.front().name, "^1"}};
  config.requirements = lock.requirements;
  members[kBundleLockPath] = serialize_lock_file(lock);
  members[kBundleConfigPath] = serialize_workspace_config(config);
  fs::create_directories(dest.parent_path());
  auto out = must(fs.create_temp(dest.parent_path()), "temp file");
  auto tar = must(TarWriter::open(*out, 19), "tar writer");
  for (const auto& [path, data] : members) must(tar->add(path, data), "member " + path);
  must(tar->close(), "closing the bundle");
  must(out->commit(dest), "committing the bundle");
  std::printf("%s\n", dest.c_str());
}

std::string request(const std::string& head, const std::string& body) {
  return head + "Host: 127.0.0.1\r\nAuthorization: Bearer reel-fuzz-token\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) die("usage: reel-fuzz-seeds CORPUS_DIR (fuzz/corpus)");
  const fs::path out = argv[1];
  auto fs = make_real_file_system();
  Package t = table();
  Package l = leg();
  build(t);
  build(l);

  write(out / "fuzz_package/gen-table.reel", t.archive);
  write(out / "fuzz_package/gen-leg.reel", l.archive);
  Package link = leg();
  link.name = "Linked";
  link.manifest = "[asset]\nname = \"Linked\"\nversion = \"2.0.0-rc.1\"\n";
  build(link);
  link.entries.push_back(FileEntry{"mesh/latest.obj", {}, 0, false, "../leg.obj"});
  link.archive = must(write_archive({{"asset.toml", link.manifest},
                                     {"files.json", serialize_files_json(link.entries)}}),
                      "archive with a symlink");
  write(out / "fuzz_package/gen-symlink.reel", link.archive);

  write_bundle(*fs, {l}, out / "fuzz_bundle/gen-leg.tar.zst");
  write_bundle(*fs, {t, l}, out / "fuzz_bundle/gen-table-leg.tar.zst");

  const std::string& leg_obj = l.files.at("leg.obj");
  const std::string put_leg =
      request("PUT /" + object_path(sha256_bytes(leg_obj)) + " HTTP/1.1\r\n", leg_obj);
  const std::string post_leg = request(
      "POST /publish/Leg/1.0.0 HTTP/1.1\r\nContent-Type: application/octet-stream\r\n"
      "Reel-Source-Commit: 0123abcd\r\nReel-Source-Dirty: false\r\n",
      l.archive);
  write(out / "fuzz_serve/gen-put-object.http", put_leg);
  write(out / "fuzz_serve/gen-publish.http", post_leg);

  write(out / "fuzz_index/gen-table.json", serialize_index(index_of(t)));
  PackageIndex reviewed = index_of(t);
  for (auto& e : reviewed.versions) {
    e.review.history = {
        {ReviewState::kRejected, "Ann <ann@studio>", "2026-11-20T11:00:00Z", "uvs"}};
    e.review.current = {ReviewState::kApproved, "Jade <jade@studio>", "2026-11-21T09:00:00Z", "ok"};
    e.yanked = true;
    e.yank = YankRecord{"broken", "Jade <jade@studio>", "2026-11-22T08:00:00Z"};
    e.unresolved = true;
  }
  for (const auto& [name, index] :
       {std::pair<std::string, PackageIndex>{"table", index_of(t)}, {"reviewed", reviewed}}) {
    const std::string json = serialize_index(index);
    write(out / ("fuzz_index_cache/gen-" + name + ".json"), json);
    write(out / ("fuzz_index_cache/gen-" + name + ".payload"), encode_index_payload(index));
    write(out / ("fuzz_index_cache/gen-" + name + ".idx"),
          encode_index_cache_file({"stat 1830 1 2 3 4", sha256_bytes(json), index}));
  }
  write(out / "fuzz_files_json/gen-table.json", serialize_files_json(t.entries));
  write(out / "fuzz_files_json/gen-symlink.json", serialize_files_json(link.entries));
  LockFile lock;
  lock.requirements = {{"Table", "^1"}};
  lock.packages = {LockedPackage{"Leg", Version(1, 0, 0), "blessed", l.digest, {}},
                   LockedPackage{"Table", Version(1, 0, 0), "blessed", t.digest, {"Leg"}}};
  write(out / "fuzz_lock_file/gen-table-leg.lock", serialize_lock_file(lock));
  WorkspaceConfig config;
  config.name = "sq010_sh020_lighting";
  config.repos = {RepoConfig{"blessed", "/studio/blessed", true, false, "", ""},
                  RepoConfig{"review", "https://assets.example/review", false, true,
                             "review.token", "studio-ca.pem"}};
  config.requirements = lock.requirements;
  config.sources = {{"Leg", "review"}};
  write(out / "fuzz_workspace_config/gen-two-repos.toml", serialize_workspace_config(config));
  write(out / "fuzz_requirements/gen-export.txt", export_requirements(config, lock));
  return 0;
}
