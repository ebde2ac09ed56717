// SHA-256 digests (FIPS 180-4) computed with OpenSSL's EVP interface, which uses the SHA-NI
// instructions where the CPU has them (about 1.8 GB/s a core on the reference machine).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "reel/storage/error.h"

namespace reel {

class FileSystem;

// A SHA-256 digest: 32 raw bytes. Ordered and hashable so it can key maps.
struct Digest {
  std::array<std::uint8_t, 32> bytes{};

  // 64 lower-case hex characters.
  std::string hex() const;
  // Parses 64 hex characters (either case). kInvalidArgument names the text otherwise.
  static Result<Digest> from_hex(std::string_view hex);
  // Parses "sha256:<64 hex>" as used in reel.lock and requirements exports.
  static Result<Digest> from_prefixed(std::string_view text);
  // "sha256:<64 hex>".
  std::string prefixed() const { return "sha256:" + hex(); }

  auto operator<=>(const Digest&) const = default;
};

// Incremental SHA-256. Not thread-safe; one hasher per stream. Movable.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void update(const void* data, std::size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  // Finishes and returns the digest; the hasher is reset and can be reused.
  Digest finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Digest of a byte string.
Digest sha256_bytes(std::string_view data);

// Digest of a file's bytes, streamed in constant memory through `fs`. Errors: kNotFound, kIOError.
Result<Digest> sha256_file(FileSystem& fs, const std::filesystem::path& path);

}  // namespace reel

template <>
struct std::hash<reel::Digest> {
  std::size_t operator()(const reel::Digest& d) const noexcept {
    std::size_t h;
    static_assert(sizeof(h) <= sizeof(d.bytes));
    __builtin_memcpy(&h, d.bytes.data(), sizeof(h));
    return h;
  }
};
