// SHA-256 through OpenSSL EVP (FIPS 180-4); EVP picks the SHA-NI code path where the CPU has it.
#include "reel/storage/digest.h"

#include <openssl/evp.h>

#include <stdexcept>

#include "reel/storage/file_system.h"

namespace reel {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string Digest::hex() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(64, '0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 15];
  }
  return out;
}

Result<Digest> Digest::from_hex(std::string_view hex) {
  if (hex.size() != 64) {
    return make_error(ErrorCode::kInvalidArgument, "invalid sha256 digest '" + std::string(hex) +
                                                       "': expected 64 hex characters");
  }
  Digest d;
  for (std::size_t i = 0; i < 32; ++i) {
    int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return make_error(ErrorCode::kInvalidArgument,
                        "invalid sha256 digest '" + std::string(hex) + "': not hexadecimal");
    }
    d.bytes[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return d;
}

Result<Digest> Digest::from_prefixed(std::string_view text) {
  constexpr std::string_view kPrefix = "sha256:";
  if (text.substr(0, kPrefix.size()) != kPrefix) {
    return make_error(ErrorCode::kInvalidArgument,
                      "invalid digest '" + std::string(text) + "': expected 'sha256:<64 hex>'");
  }
  return from_hex(text.substr(kPrefix.size()));
}

namespace {

// SHA-256 fetched from OpenSSL's default provider once per process. EVP_sha256() is a legacy
// handle that EVP_DigestInit_ex fetches again on every call (a lock and a lookup: 4% of a warm
// `reel lock` that hashes thousands of small index cache files); a fetched one is used as is.
const EVP_MD* sha256_md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md != nullptr ? md : EVP_sha256();
}

}  // namespace

struct Sha256::Impl {
  EVP_MD_CTX* ctx = nullptr;
  Impl() : ctx(EVP_MD_CTX_new()) {
    if (ctx == nullptr || EVP_DigestInit_ex(ctx, sha256_md(), nullptr) != 1) {
      throw std::runtime_error("OpenSSL: cannot initialise SHA-256");
    }
  }
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(const void* data, std::size_t size) {
  EVP_DigestUpdate(impl_->ctx, data, size);
}

Digest Sha256::finish() {
  Digest d;
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx, d.bytes.data(), &len);
  EVP_DigestInit_ex(impl_->ctx, sha256_md(), nullptr);
  return d;
}

Digest sha256_bytes(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.finish();
}

Result<Digest> sha256_file(FileSystem& fs, const std::filesystem::path& path) {
  auto in = fs.open_read(path);
  if (!in) return tl::unexpected(in.error());
  Sha256 h;
  std::string buffer(1 << 20, '\0');
  for (;;) {
    auto n = (*in)->read(buffer.data(), buffer.size());
    if (!n) return tl::unexpected(n.error());
    if (*n == 0) break;
    h.update(buffer.data(), *n);
  }
  return h.finish();
}

}  // namespace reel
