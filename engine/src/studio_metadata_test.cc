// Studio metadata conventions (studio_metadata.h), as tables.
#include "reel/engine/studio_metadata.h"

#include <gtest/gtest.h>

#include "reel/engine/manifest.h"

namespace reel {
namespace {

TEST(StudioMetadata, ChecksEachKey) {
  struct Case {
    const char* metadata;
    const char* error;  // "" when valid
  };
  const Case cases[] = {
      {"{}", ""},
      {R"({"frame_in": 1001, "frame_out": 1048, "fps": 24, "thumbnail": "thumb.png"})", ""},
      {R"({"frame_in": 1001, "frame_out": 1001, "fps": 23.976})", ""},
      {R"({"frame_in": 1048, "frame_out": 1001})",
       "[metadata] frame_in: 1048 is after frame_out 1001"},
      {R"({"frame_in": 1.5})", "[metadata] frame_in: expected an integer"},
      {R"({"frame_out": "1048"})", "[metadata] frame_out: expected an integer"},
      {R"({"fps": 0})", "[metadata] fps: expected a number greater than 0"},
      {R"({"fps": -24})", "[metadata] fps: expected a number greater than 0"},
      {R"({"project": 3})", "[metadata] project: expected a string"},
      {R"({"thumbnail": "../x.png"})", "[metadata] thumbnail: '../x.png' is not a path inside"},
      {R"({"thumbnail": "/x.png"})", "[metadata] thumbnail: '/x.png' is not a path inside"},
      {R"({"thumbnail": ".git/x.png"})", "[metadata] thumbnail: '.git/x.png' is not a path inside"},
  };
  for (const auto& c : cases) {
    auto status = check_studio_metadata(c.metadata, "a/asset.toml");
    if (std::string(c.error).empty()) {
      EXPECT_TRUE(status) << c.metadata << ": " << status.error().message;
    } else {
      ASSERT_FALSE(status) << c.metadata;
      EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
      EXPECT_NE(status.error().message.find("a/asset.toml: "), std::string::npos);
      EXPECT_NE(status.error().message.find(c.error), std::string::npos) << status.error().message;
    }
  }
}

TEST(StudioMetadata, ParseManifestChecks) {
  auto bad = parse_manifest(
      "[asset]\nname = \"SH010\"\nversion = \"1.0.0\"\n[metadata]\nframe_in = 9\nframe_out = 1\n",
      "outputs/SH010/asset.toml");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("outputs/SH010/asset.toml: [metadata] frame_in"),
            std::string::npos);
}

TEST(StudioMetadata, ThumbnailMustBeAFileOfThePackage) {
  std::vector<FileEntry> files(2);
  files[0].path = "frames/a.png";
  files[1].path = "thumb.png";
  EXPECT_TRUE(check_thumbnail_in_package(R"({"thumbnail": "thumb.png"})", files, "asset.toml"));
  EXPECT_TRUE(check_thumbnail_in_package("{}", files, "asset.toml"));
  auto missing = check_thumbnail_in_package(R"({"thumbnail": "frames"})", files, "asset.toml");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("'frames' is not one of the package's files"),
            std::string::npos);
}

TEST(StudioMetadata, ReadsTolerantly) {
  StudioMetadata m = read_studio_metadata(
      R"({"project": "Kitchen", "frame_in": 1001, "frame_out": "x", "fps": 24, "tags": ["a", 1]})");
  EXPECT_EQ(m.project, "Kitchen");
  EXPECT_EQ(m.frame_in, 1001);
  EXPECT_FALSE(m.frame_out);
  EXPECT_EQ(m.fps, 24.0);
  EXPECT_EQ(m.tags, std::vector<std::string>{"a"});
  EXPECT_TRUE(read_studio_metadata("not json").project.empty());
}

}  // namespace
}  // namespace reel
