// Size and nesting bounds before parsing (input_limits.h), and the parsers that rely on them:
// deep input is refused with a clear error, never a crash (issue 10: ~10,000 levels crashed).
#include "reel/engine/input_limits.h"

#include <gtest/gtest.h>

#include "reel/engine/index.h"
#include "reel/engine/lock_file.h"
#include "reel/engine/manifest.h"
#include "reel/engine/package.h"

namespace reel {
namespace {

std::string nested(std::size_t n, std::string_view open, std::string_view close) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += open;
  for (std::size_t i = 0; i < n; ++i) s += close;
  return s;
}

bool deep_error(const Status& st) {
  return !st && st.error().code == ErrorCode::kInvalidArgument &&
         st.error().message.find("nesting deeper than 128") != std::string::npos;
}

TEST(JsonLimits, DepthAndSize) {
  EXPECT_TRUE(check_json_input(nested(128, "[", "]"), "f.json", 1 << 20));
  EXPECT_TRUE(deep_error(check_json_input(nested(129, "[", "]"), "f.json", 1 << 20)));
  EXPECT_TRUE(deep_error(check_json_input(nested(129, "{\"a\":", "}"), "f.json", 1 << 20)));
  // Brackets inside strings (escaped quotes included) do not count.
  std::string in_string = "[\"" + std::string(500, '[') + "\\\"" + std::string(500, '{') + "\"]";
  EXPECT_TRUE(check_json_input(in_string, "f.json", 1 << 20));
  auto big = check_json_input(std::string(101, ' '), "f.json", 100);
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().message.find("101 bytes, more than the 100"), std::string::npos);
  auto where = check_json_input(nested(200, "[", "]"), "index/x.json", 1 << 20);
  ASSERT_FALSE(where);
  EXPECT_NE(where.error().message.find("index/x.json: nesting deeper than 128 levels at byte 128"),
            std::string::npos)
      << where.error().message;
}

TEST(TomlLimits, ArraysInlineTablesHeadersAndDottedKeys) {
  auto toml = [](const std::string& text) { return check_toml_input(text, "a.toml", 1 << 24); };
  EXPECT_TRUE(toml("x = " + nested(127, "[", "]") + "\n"));  // 1 (key) + 127 arrays
  EXPECT_TRUE(deep_error(toml("x = " + nested(128, "[", "]") + "\n")));
  EXPECT_TRUE(deep_error(toml("x = " + nested(200, "{a = ", "}") + "\n")));
  EXPECT_TRUE(deep_error(toml("x = [" + nested(200, "{a = [", "]}") + "]\n")));
  std::string header = "[a";
  for (int i = 0; i < 128; ++i) header += ".a";
  EXPECT_TRUE(deep_error(toml(header + "]\n")));
  EXPECT_TRUE(deep_error(toml("[[" + header.substr(1) + "]]\n")));
  std::string dotted = "a";
  for (int i = 0; i < 130; ++i) dotted += ".b";
  EXPECT_TRUE(deep_error(toml(dotted + " = 1\n")));
  // A header's depth adds to its keys' and values'.
  std::string h100 = "[h";
  for (int i = 0; i < 99; ++i) h100 += ".h";
  EXPECT_TRUE(toml(h100 + "]\nx = " + nested(27, "[", "]") + "\n"));
  EXPECT_TRUE(deep_error(toml(h100 + "]\nx = " + nested(28, "[", "]") + "\n")));
  // Dotted keys inside inline tables add too.
  std::string inline_dotted = "x = {" + dotted + " = 1}\n";
  EXPECT_TRUE(deep_error(toml(inline_dotted)));
  // Brackets, dots and braces in strings, quoted keys and comments do not count.
  const std::string quiet = "\"a.b.c.d\" = 1\n" + std::string("s = \"") + std::string(300, '[') +
                            "\"\n" + "l = '" + std::string(300, '{') + "'\n" +
                            "m = \"\"\"\n" + std::string(300, '[') + "\n\"\"\"\n" + "n = '''" +
                            std::string(300, '[') + "'''\n" + "# " + std::string(300, '[') +
                            "\nt = \"a\\\"[[[\"\n" + "v = 1.5\n" + "w = 1979-05-27T07:32:00Z\n";
  EXPECT_TRUE(toml(quiet)) << toml(quiet).error().message;
  // A multi-line array spanning lines is one value.
  EXPECT_TRUE(toml("x = [\n  [1, 2],\n  [3, 4],\n]\n[t]\ny = 2\n"));
  auto where = toml("a = 1\nb = 2\nx = " + nested(200, "[", "]") + "\n");
  ASSERT_FALSE(where);
  EXPECT_NE(where.error().message.find("a.toml:3: nesting deeper"), std::string::npos)
      << where.error().message;
  // Still checked: UTF-8, control characters and size.
  EXPECT_FALSE(toml("x = \"\xff\"\n"));
  EXPECT_FALSE(check_toml_input("x = 1\n", "a.toml", 3));
}

TEST(TomlLimits, TheParsersRefuseDeepInputInsteadOfCrashing) {
  const std::string deep = nested(50000, "[", "]");
  auto m = parse_manifest("[asset]\nname = \"T\"\nversion = \"1.0.0\"\n[metadata]\nx = " + deep +
                              "\n",
                          "asset.toml");
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("asset.toml:5: nesting deeper than 128"), std::string::npos)
      << m.error().message;
  auto inline_tables = parse_manifest(
      "[asset]\nname = \"T\"\nversion = \"1.0.0\"\n[metadata]\nx = " + nested(50000, "{a=", "}"),
      "asset.toml");
  EXPECT_FALSE(inline_tables);
  auto lock = parse_lock_file("version = 1\nx = " + deep + "\n", "reel.lock");
  ASSERT_FALSE(lock);
  EXPECT_NE(lock.error().message.find("nesting deeper"), std::string::npos);
  auto index = parse_index(
      R"({"format": 1, "name": "T", "versions": [{"version": "1.0.0", "metadata": {"x": )" +
          nested(100000, "[", "]") + "}}]}",
      "index/t.json");
  ASSERT_FALSE(index);
  EXPECT_NE(index.error().message.find("nesting deeper"), std::string::npos);
  auto files = parse_files_json(deep, "files.json");
  ASSERT_FALSE(files);
  EXPECT_EQ(files.error().code, ErrorCode::kCorruption);
  // Growing table headers (quadratic in toml11 3.7.1): refused at depth 129 without parsing.
  std::string headers, h = "a";
  for (int i = 0; i < 1200; ++i) {
    headers += "[" + h + "]\n";
    h += ".a";
  }
  auto grown = parse_lock_file(headers, "reel.lock");
  ASSERT_FALSE(grown);
  EXPECT_NE(grown.error().message.find("reel.lock:129: nesting deeper"), std::string::npos)
      << grown.error().message;
}

TEST(TomlLimits, RealManifestsPass) {
  const std::string text = R"([asset]
name = "KitchenSet"
version = "1.4.0"
type = "set"
description = "Kitchen set dressing"
tags = ["kitchen", "set"]

[dependencies]
Table = "==3.2.1"
Chair = ">=1.2.3,<2.0"

[dependency-groups]
build = { Lighting = "^2" }

[files]
include = ["**"]
exclude = ["**/*.tmp"]

[metadata]
project = "Kitchen"
frames = { in = 1001, out = 1048 }
"dotted.key" = [[1, 2], [3, 4]]
)";
  EXPECT_TRUE(check_toml_input(text, "asset.toml", kMaxManifestBytes));
  EXPECT_TRUE(parse_manifest(text, "asset.toml"));
}

}  // namespace
}  // namespace reel
