// Content-addressed object store: ROOT/sha256/<2 hex>/<62 hex>, immutable read-only files that
// appear only by rename of a complete, verified temp file (DESIGN §2, §8).
#include "reel/storage/object_store.h"

#include <algorithm>
#include <cstdint>

namespace reel {

Result<LinkMode> parse_link_mode(std::string_view text) {
  if (text == "auto") return LinkMode::kAuto;
  if (text == "clone") return LinkMode::kClone;
  if (text == "hardlink") return LinkMode::kHardlink;
  if (text == "copy") return LinkMode::kCopy;
  if (text == "symlink") return LinkMode::kSymlink;
  return make_error(ErrorCode::kInvalidArgument,
                    "invalid link mode '" + std::string(text) +
                        "': expected auto, clone, hardlink, copy or symlink");
}

std::string_view link_mode_name(LinkMode mode) {
  switch (mode) {
    case LinkMode::kAuto:
      return "auto";
    case LinkMode::kClone:
      return "clone";
    case LinkMode::kHardlink:
      return "hardlink";
    case LinkMode::kCopy:
      return "copy";
    case LinkMode::kSymlink:
      return "symlink";
  }
  return "auto";
}

ObjectStore::ObjectStore(FileSystem& fs, fs::path root, bool early_writeback)
    : fs_(fs), early_writeback_(early_writeback), root_(std::move(root)) {}

fs::path ObjectStore::object_path(const Digest& digest) const {
  std::string hex = digest.hex();
  return root_ / "sha256" / hex.substr(0, 2) / hex.substr(2);
}

Result<bool> ObjectStore::contains(const Digest& digest) {
  auto st = fs_.stat(object_path(digest));
  if (!st) return tl::unexpected(st.error());
  return st->type == FileType::kRegular;
}

Result<bool> ObjectStore::contains(const ObjectRef& object) {
  auto st = fs_.stat(object_path(object.digest));
  if (!st) return tl::unexpected(st.error());
  return st->type == FileType::kRegular && st->size == object.size;
}

namespace {

constexpr std::size_t kBufferSize = std::size_t{1} << 20;

// Streams `source` into a temp file in `dir` through a 1 MiB buffer, hashing as it goes. With
// `max_bytes`, a source longer than that fails with kCorruption after reading max_bytes + 1.
Result<std::pair<std::unique_ptr<OutputFile>, Digest>> stream_to_temp(
    FileSystem& fs, const fs::path& source, const fs::path& dir,
    std::uint64_t max_bytes = UINT64_MAX) {
  auto in = fs.open_read(source);
  if (!in) return tl::unexpected(in.error());
  auto out = fs.create_temp(dir);
  if (!out) return tl::unexpected(out.error());
  Sha256 hasher;
  std::string buffer(kBufferSize, '\0');
  std::uint64_t total = 0;
  for (;;) {
    const std::uint64_t room = max_bytes == UINT64_MAX ? buffer.size() : max_bytes + 1 - total;
    auto n = (*in)->read(buffer.data(), static_cast<std::size_t>(std::min<std::uint64_t>(
                                             buffer.size(), std::max<std::uint64_t>(room, 1))));
    if (!n) return tl::unexpected(n.error());
    if (*n == 0) break;
    total += *n;
    if (total > max_bytes) {
      return make_error(ErrorCode::kCorruption, source.string() + ": larger than the " +
                                                    std::to_string(max_bytes) +
                                                    " bytes its file list states");
    }
    hasher.update(buffer.data(), *n);
    REEL_TRY((*out)->write(buffer.data(), *n));
  }
  if (max_bytes != UINT64_MAX && total != max_bytes) {
    return make_error(ErrorCode::kCorruption, source.string() + ": " + std::to_string(total) +
                                                  " bytes, not the " + std::to_string(max_bytes) +
                                                  " its file list states");
  }
  return std::make_pair(std::move(*out), hasher.finish());
}

}  // namespace

fs::path ObjectStore::temp_dir() const { return root_ / "tmp"; }

namespace {

constexpr const char* kRecordAttr = "user.reel.object";

std::string record_text(std::uint64_t size, std::int64_t mtime_ns) {
  return "1 " + std::to_string(size) + " " + std::to_string(mtime_ns);
}

// Writes the entry record of the file at `path` (see the header), first moving its mtime a
// second back. Best effort: a store on a file system without extended attributes still works
// (its objects are hashed when checked).
void write_record(FileSystem& fs, const fs::path& path) {
  auto st = fs.stat(path);
  if (!st || st->type != FileType::kRegular) return;
  std::int64_t mtime = st->mtime_ns - 1000000000;
  if (!fs.set_mtime(path, mtime)) mtime = st->mtime_ns;
  (void)fs.set_xattr(path, kRecordAttr, record_text(st->size, mtime));
}

}  // namespace

Status ObjectStore::install(OutputFile& temp, const Digest& digest, bool sync) {
  auto there = fs_.stat(object_path(digest));
  if (!there) return tl::unexpected(there.error());
  if (there->type == FileType::kRegular) {
    auto mine = fs_.stat(temp.temp_path());
    if (!mine) return tl::unexpected(mine.error());
    if (mine->size == there->size) {
      // Objects are immutable: the first copy stays, this one is discarded.
      temp.abort();
      return ok();
    }
    // Another size: not the object (its unsynced bytes were lost); replaced below.
  }
  write_record(fs_, temp.temp_path());
  if (sync) {
    REEL_TRY(temp.sync());
  } else if (early_writeback_) {
    temp.start_writeback();  // a later sync_file (a publish) then finds the bytes on disk
  }
  fs::path dest = object_path(digest);
  REEL_TRY(fs_.create_directories(dest.parent_path()));
  REEL_TRY(fs_.set_mode(temp.temp_path(), 0444));
  // rename(2) replaces atomically, so a concurrent put of the same object also succeeds and a
  // reader sees either no file or a complete one.
  return temp.commit(dest);
}

Status ObjectStore::put_file_expecting(const fs::path& source, const ObjectRef& expected,
                                       bool sync) {
  REEL_TRY(fs_.create_directories(temp_dir()));
  auto temp = stream_to_temp(fs_, source, temp_dir(), expected.size);
  if (!temp) {
    if (temp.error().code == ErrorCode::kCorruption) return tl::unexpected(temp.error());
    return tl::unexpected(temp.error().with_context("storing " + source.string()));
  }
  auto& [out, digest] = *temp;
  if (digest != expected.digest) {
    out->abort();
    return make_error(ErrorCode::kCorruption, source.string() + ": digest mismatch: expected " +
                                                  expected.digest.prefixed() + ", got " +
                                                  digest.prefixed());
  }
  return install(*out, digest, sync);
}

Result<std::vector<ObjectStore::Stored>> ObjectStore::list_objects() {
  std::vector<Stored> out;
  const fs::path base = root_ / "sha256";
  auto top = fs_.stat(base);
  if (!top) return tl::unexpected(top.error());
  if (top->type != FileType::kDirectory) return out;
  auto prefixes = fs_.list_dir(base);
  if (!prefixes) return tl::unexpected(prefixes.error());
  for (const auto& p : *prefixes) {
    if (p.type != FileType::kDirectory || p.name.size() != 2) continue;
    auto files = fs_.list_dir(base / p.name);
    if (!files) return tl::unexpected(files.error());
    for (const auto& f : *files) {
      auto digest = Digest::from_hex(p.name + f.name);
      if (!digest) continue;
      fs::path path = base / p.name / f.name;
      auto st = fs_.stat(path);
      if (!st) return tl::unexpected(st.error());
      if (st->type == FileType::kMissing) continue;  // removed meanwhile
      out.push_back(Stored{*digest, std::move(path), *st});
    }
  }
  return out;  // list_dir sorts by name, so this is digest order
}

Result<Digest> ObjectStore::put_file(const fs::path& source, bool sync) {
  REEL_TRY(fs_.create_directories(temp_dir()));
  auto temp = stream_to_temp(fs_, source, temp_dir());
  if (!temp) return tl::unexpected(temp.error().with_context("storing " + source.string()));
  auto& [out, digest] = *temp;
  REEL_TRY(install(*out, digest, sync));
  return digest;
}

Result<Digest> ObjectStore::put_bytes(std::string_view data, bool sync) {
  Digest digest = sha256_bytes(data);
  auto have = contains(ObjectRef{digest, data.size()});
  if (!have) return tl::unexpected(have.error());
  if (*have) return digest;
  REEL_TRY(fs_.create_directories(temp_dir()));
  auto out = fs_.create_temp(temp_dir());
  if (!out) return tl::unexpected(out.error());
  REEL_TRY((*out)->write(data));
  REEL_TRY(install(**out, digest, sync));
  return digest;
}

ObjectStore::Writer::Writer(ObjectStore& store, std::unique_ptr<OutputFile> out)
    : store_(store), out_(std::move(out)) {
  buffer_.reserve(kBufferSize);
}

Status ObjectStore::Writer::write(const void* data, std::size_t size) {
  if (size > limit_ - size_) {
    return make_error(ErrorCode::kCorruption, "more than the " + std::to_string(limit_) +
                                                  " bytes the object was announced with");
  }
  hasher_.update(data, size);
  size_ += size;
  if (buffer_.size() + size <= kBufferSize) {
    buffer_.append(static_cast<const char*>(data), size);
    return ok();
  }
  REEL_TRY(flush());
  if (size >= kBufferSize) return out_->write(data, size);
  buffer_.append(static_cast<const char*>(data), size);
  return ok();
}

Status ObjectStore::Writer::flush() {
  if (buffer_.empty()) return ok();
  auto st = out_->write(buffer_.data(), buffer_.size());
  buffer_.clear();
  return st;
}

Digest ObjectStore::Writer::digest() {
  if (!digest_) digest_ = hasher_.finish();
  return *digest_;
}

Status ObjectStore::Writer::finish(const Digest& expected, std::string_view what) {
  Digest actual = digest();
  if (actual != expected) {
    out_->abort();
    return make_error(ErrorCode::kCorruption, std::string(what) + ": digest mismatch: expected " +
                                                  expected.prefixed() + ", got " +
                                                  actual.prefixed());
  }
  if (auto st = flush(); !st) {
    out_->abort();
    return st;
  }
  return store_.install(*out_, actual, false);
}

Status ObjectStore::Writer::finish_to(const Digest& expected, std::string_view what,
                                     const fs::path& dest) {
  Digest actual = digest();
  if (actual != expected) {
    out_->abort();
    return make_error(ErrorCode::kCorruption, std::string(what) + ": digest mismatch: expected " +
                                                  expected.prefixed() + ", got " +
                                                  actual.prefixed());
  }
  if (auto st = flush(); !st) {
    out_->abort();
    return st;
  }
  return out_->commit(dest);
}

Status ObjectStore::adopt(const fs::path& verified, const Digest& digest) {
  auto mine = fs_.stat(verified);
  if (!mine) return tl::unexpected(mine.error());
  auto have = contains(ObjectRef{digest, mine->size});
  if (!have) return tl::unexpected(have.error());
  if (*have) return fs_.remove(verified);
  fs::path dest = object_path(digest);
  REEL_TRY(fs_.create_directories(dest.parent_path()));
  write_record(fs_, verified);
  REEL_TRY(fs_.set_mode(verified, 0444));
  return fs_.rename(verified, dest);
}

Result<ObjectStore::Health> ObjectStore::check(const ObjectRef& object) {
  const fs::path path = object_path(object.digest);
  auto st = fs_.stat(path);
  if (!st) return tl::unexpected(st.error());
  if (st->type == FileType::kMissing) return Health::kMissing;
  if (st->type != FileType::kRegular || st->size != object.size) return Health::kDamaged;
  const bool read_only = (st->mode & 0222) == 0;
  auto record = fs_.get_xattr(path, kRecordAttr);
  if (read_only && record && *record && **record == record_text(st->size, st->mtime_ns))
    return Health::kIntact;
  auto actual = sha256_file(fs_, path);
  if (!actual) {
    if (actual.error().code == ErrorCode::kNotFound) return Health::kMissing;  // removed meanwhile
    return tl::unexpected(actual.error());
  }
  if (*actual != object.digest) return Health::kDamaged;
  // The bytes are right (a touch, a chmod, an object from before records): record it again.
  if (!read_only) (void)fs_.set_mode(path, 0444);
  (void)fs_.set_xattr(path, kRecordAttr, record_text(st->size, st->mtime_ns));
  return Health::kIntact;
}

Status ObjectStore::quarantine(const Digest& digest, const fs::path& dir) {
  REEL_TRY(fs_.create_directories(dir));
  const fs::path from = object_path(digest);
  auto st = fs_.stat(from);
  if (!st) return tl::unexpected(st.error());
  if (st->type == FileType::kMissing) return ok();
  const fs::path to = dir / (digest.hex() + "." + std::to_string(st->inode) + "-" +
                             std::to_string(st->ctime_ns));
  if (st->type == FileType::kDirectory) return fs_.remove_all(from);  // nothing worth keeping
  return fs_.rename(from, to);
}

Result<std::unique_ptr<ObjectStore::Writer>> ObjectStore::begin_object() {
  REEL_TRY(fs_.create_directories(temp_dir()));
  auto out = fs_.create_temp(temp_dir());
  if (!out) return tl::unexpected(out.error());
  return std::unique_ptr<Writer>(new Writer(*this, std::move(*out)));
}

Result<std::unique_ptr<ObjectStore::Writer>> ObjectStore::begin_object(const Digest& expected) {
  const fs::path dir = object_path(expected).parent_path();
  auto out = fs_.create_temp(dir);
  if (!out && out.error().code == ErrorCode::kNotFound) {  // the shard's first object
    REEL_TRY(fs_.create_directories(dir));
    out = fs_.create_temp(dir);
  }
  if (!out) return tl::unexpected(out.error());
  return std::unique_ptr<Writer>(new Writer(*this, std::move(*out)));
}

Status ObjectStore::verify(const Digest& digest) {
  fs::path path = object_path(digest);
  auto st = fs_.stat(path);
  if (!st) return tl::unexpected(st.error());
  if (st->type != FileType::kRegular) {
    return make_error(ErrorCode::kNotFound,
                      "object sha256:" + digest.hex() + " is missing from " + root_.string());
  }
  auto actual = sha256_file(fs_, path);
  if (!actual) return tl::unexpected(actual.error());
  if (*actual != digest) {
    return make_error(
        ErrorCode::kCorruption,
        path.string() + ": object is corrupt (its bytes hash to sha256:" + actual->hex() + ")");
  }
  return ok();
}

Result<LinkMode> ObjectStore::materialise(const Digest& digest, const fs::path& dest, LinkMode mode,
                                          bool executable) {
  fs::path src = object_path(digest);
  if (dest.has_parent_path()) REEL_TRY(fs_.create_directories(dest.parent_path()));
  const std::uint32_t read_only = executable ? 0555 : 0444;
  auto finish_copy = [&](LinkMode used) -> Result<LinkMode> {
    REEL_TRY(fs_.set_mode(dest, read_only));
    return used;
  };
  switch (mode) {
    case LinkMode::kSymlink: {
      std::error_code ec;
      fs::path absolute = fs::absolute(src, ec);
      REEL_TRY(fs_.symlink(ec ? src : absolute, dest));
      return LinkMode::kSymlink;
    }
    case LinkMode::kHardlink:
      REEL_TRY(fs_.hard_link(src, dest));
      return LinkMode::kHardlink;
    case LinkMode::kClone:
      REEL_TRY(fs_.clone_file(src, dest));
      return finish_copy(LinkMode::kClone);
    case LinkMode::kCopy:
      REEL_TRY(fs_.copy_file(src, dest));
      return finish_copy(LinkMode::kCopy);
    case LinkMode::kAuto: {
      auto cloned = fs_.clone_file(src, dest);
      if (cloned) return finish_copy(LinkMode::kClone);
      if (cloned.error().code != ErrorCode::kUnsupported) return tl::unexpected(cloned.error());
      // A hard link shares the store's inode, whose mode is 0444; an executable file needs its
      // own inode, so it is copied.
      if (!executable) {
        auto linked = fs_.hard_link(src, dest);
        if (linked) return LinkMode::kHardlink;
        if (linked.error().code == ErrorCode::kNotFound ||
            linked.error().code == ErrorCode::kAlreadyExists) {
          return tl::unexpected(linked.error());
        }
      }
      REEL_TRY(fs_.copy_file(src, dest));
      return finish_copy(LinkMode::kCopy);
    }
  }
  return make_error(ErrorCode::kInvalidArgument, "unknown link mode");
}

}  // namespace reel
