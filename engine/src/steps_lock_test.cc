#include "reel/engine/steps_lock.h"

#include <gtest/gtest.h>

#include "reel/engine/sources_lock.h"

namespace reel {
namespace {

TEST(StepsLock, RoundTripsInAStableOrder) {
  StepsLock lock;
  lock.put(StepRecord{"preview",
                      "ffmpeg -i frames/shot.%04d.png \"preview.mp4\"",
                      {{"frames/", sha256_bytes("f"), 1234, 48, ""},
                       {"pkg:Table", sha256_bytes("t"), 0, 0, "3.2.1"}},
                      {{"preview.mp4", sha256_bytes("p"), 99, 0, ""}}});
  lock.put(StepRecord{"mesh", "assimp export", {}, {{"table.glb", sha256_bytes("g"), 5, 0, ""}}});
  ASSERT_EQ(lock.steps[0].name, "mesh");  // sorted by name
  std::string text = serialize_steps_lock(lock);
  auto back = parse_steps_lock(text, "steps.lock");
  ASSERT_TRUE(back) << back.error().message << "\n" << text;
  EXPECT_EQ(back->steps, lock.steps);
  EXPECT_EQ(serialize_steps_lock(*back), text);
  EXPECT_NE(text.find("  { path = \"pkg:Table\", sha256 = \"" + sha256_bytes("t").hex() +
                      "\", version = \"3.2.1\" },\n"),
            std::string::npos)
      << text;
  lock.put(StepRecord{"mesh", "assimp export -f glb2", {}, {}});
  EXPECT_EQ(lock.steps.size(), 2u);
  EXPECT_EQ(lock.find("MESH")->cmd, "assimp export -f glb2");
}

TEST(StepsLock, MalformedInputNamesTheField) {
  struct Case {
    std::string text, needle;
  };
  std::string hex(64, 'a');
  for (const auto& c : std::vector<Case>{
           {"version = 2\n", "version: expected 1"},
           {"version = 1\nstep = 1\n", "expected an array of tables"},
           {"version = 1\n[[step]]\ncmd = \"x\"\n", "name: missing"},
           {"version = 1\n[[step]]\nname = \"a\"\ncmd = \"x\"\ndeps = [{ path = \"../x\", sha256 = "
            "\"" +
                hex + "\" }]\n",
            "steps.lock:5: [[step]] a deps: '../x'"},
           {"version = 1\n[[step]]\nname = \"a\"\ncmd = \"x\"\nouts = [{ path = \"o\", sha256 = "
            "\"zz\" }]\n",
            "[[step]] a outs sha256"},
           {"version = 1\n[[step]]\nname = \"a\"\ncmd = \"x\"\nextra = 1\n",
            "[[step]] a extra: unknown key"},
           // Fuzzing found a size on a pkg: dependency, which the next write dropped.
           {"version = 1\n[[step]]\nname = \"a\"\ncmd = \"x\"\ndeps = [{ path = \"pkg:T\", "
            "sha256 = \"" +
                hex + "\", size = 5, version = \"1.0.0\" }]\n",
            "'pkg:T': size is not recorded for a package dependency"},
           {"version = 1\n[[step]]\nname = \"a\"\ncmd = \"x\"\ndeps = [{ path = \"pkg:T\", "
            "sha256 = \"" +
                hex + "\" }]\n",
            "'pkg:T': a package dependency needs its version"},
           {"version = 1\n[[step]]\nname = \"a\"\ncmd = \"x\"\nouts = [{ path = \"o\", "
            "sha256 = \"" +
                hex + "\", size = 1, version = \"1.0.0\" }]\n",
            "'o': version is not recorded for a file or folder"},
       }) {
    auto r = parse_steps_lock(c.text, "steps.lock");
    ASSERT_FALSE(r) << c.text;
    EXPECT_NE(r.error().message.find(c.needle), std::string::npos) << r.error().message;
  }
}

TEST(StepsLock, FolderDigestDependsOnNamesAndContent) {
  Digest a = sha256_bytes("a"), b = sha256_bytes("b");
  Digest d1 = folder_digest({{"1.png", a}, {"2.png", b}});
  EXPECT_EQ(d1, folder_digest({{"1.png", a}, {"2.png", b}}));
  EXPECT_NE(d1, folder_digest({{"1.png", b}, {"2.png", a}}));
  EXPECT_NE(d1, folder_digest({{"1.png", a}, {"3.png", b}}));
  EXPECT_NE(d1, folder_digest({{"1.png", a}}));
}

TEST(SourcesLock, RoundTripsAndRefusesBadPathsAndUrls) {
  SourcesLock lock;
  lock.put(SourceRecord{"plates/", "/studio/plates/sh010", 4096, 3,
                        rfc3339_nanos(1795000000123456789), "", sha256_bytes("p")});
  lock.put(SourceRecord{"ref.obj", "http://127.0.0.1:8080/ref.obj", 12, 0, "", "\"5f-c\"",
                        sha256_bytes("r")});
  EXPECT_EQ(lock.sources[0].mtime, "2026-11-18T11:06:40.123456789Z");
  EXPECT_TRUE(lock.sources[1].is_url());
  EXPECT_TRUE(lock.sources[0].is_folder());
  EXPECT_EQ(lock.find("plates"), &lock.sources[0]);
  std::string text = serialize_sources_lock(lock);
  auto back = parse_sources_lock(text, "sources.lock");
  ASSERT_TRUE(back) << back.error().message << "\n" << text;
  EXPECT_EQ(back->sources, lock.sources);
  EXPECT_EQ(serialize_sources_lock(*back), text);
  std::string hex(64, 'a');
  for (auto bad : {"path = \"../x\"\nurl = \"/a\"", "path = \"x\"\nurl = \"relative/a\"",
                   "path = \"x\"\nurl = \"ftp://a/b\""}) {
    auto r = parse_sources_lock(
        "version = 1\n[[source]]\n" + std::string(bad) + "\nsha256 = \"" + hex + "\"\n",
        "sources.lock");
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find("sources.lock:"), std::string::npos) << r.error().message;
  }
}

}  // namespace
}  // namespace reel
