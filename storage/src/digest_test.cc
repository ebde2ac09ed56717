#include "reel/storage/digest.h"

#include <gtest/gtest.h>

#include "reel/storage/file_system.h"
#include "reel/storage/testing.h"

namespace reel {
namespace {

// FIPS 180-2 appendix B test vectors.
TEST(Digest, KnownVectors) {
  EXPECT_EQ(sha256_bytes("abc").hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_bytes("").hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").hex(),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_bytes(std::string(1000000, 'a')).hex(),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Digest, IncrementalEqualsOneShotAndResets) {
  std::string text = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  Sha256 h;
  for (char c : text) h.update(&c, 1);
  EXPECT_EQ(h.finish(), sha256_bytes(text));
  h.update("abc");
  EXPECT_EQ(h.finish(), sha256_bytes("abc"));
}

TEST(Digest, HexRoundTripAndErrors) {
  Digest d = sha256_bytes("x");
  EXPECT_EQ(Digest::from_hex(d.hex()).value(), d);
  std::string upper = d.hex();
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(Digest::from_hex(upper).value(), d);
  EXPECT_EQ(Digest::from_prefixed(d.prefixed()).value(), d);
  EXPECT_EQ(d.prefixed(), "sha256:" + d.hex());

  auto short_hex = Digest::from_hex("abc");
  ASSERT_FALSE(short_hex);
  EXPECT_EQ(short_hex.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(short_hex.error().message.find("'abc'"), std::string::npos);
  EXPECT_FALSE(Digest::from_hex(std::string(64, 'g')));
  EXPECT_FALSE(Digest::from_hex(d.hex() + "0"));
  EXPECT_FALSE(Digest::from_prefixed("md5:" + d.hex()));
  EXPECT_FALSE(Digest::from_prefixed(d.hex()));
  EXPECT_FALSE(Digest::from_prefixed("sha256:" + d.hex().substr(1)));
}

TEST(Digest, FileStreamedEqualsBytes) {
  testing::TempDir dir;
  std::string big(3 * 1024 * 1024 + 17, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 31 + 7);
  testing::write_file(dir.path() / "big", big);
  auto fs = make_real_file_system();
  EXPECT_EQ(sha256_file(*fs, dir.path() / "big").value(), sha256_bytes(big));
  auto missing = sha256_file(*fs, dir.path() / "missing");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace reel
