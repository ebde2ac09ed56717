#include "reel/engine/manifest.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "reel/engine/names.h"

namespace reel {
namespace {

constexpr const char* kDesignExample = R"([asset]
name = "KitchenSet"      # a comment
version = "1.4.0"
type = "set"
description = "Kitchen set dressing"
tags = ["kitchen", "interior"]

[dependencies]
Table = "==3.2.1"
Chair = ">=1.2.3,<2.0"
Lamp = "*"

[dependency-groups]
build = { Lighting = "^2" }
edit = { RigTools = "*" }

[files]
include = ["**"]
exclude = ["**/*.tmp"]

[env]
KITCHENSET_ROOT = "{root}"
PATH = { prepend = "{root}/bin" }
PYTHONPATH = { prepend = ["{root}/python", "{root}/lib"] }
HOUDINI_PATH = { append = "{root}/houdini" }
TOOL = { set = "${KITCHENSET_ROOT}/tool" }
OLD_VAR = { unset = true }
MANPATH = { prepend = "{root}/man", append = "/usr/share/man" }

[scripts]
turntable = "python3 {root}/tools/turntable.py"

[metadata]
sequence = "sq010"
frame_in = 1001
fps = 23.976
render = { camera = "main", stereo = false }  # `shot` is a studio key: a string (studio_metadata.h)

[[step]]
name = "preview"
cmd = "ffmpeg -y -framerate 24 -i frames/shot.%04d.png -pix_fmt yuv420p preview.mp4"
deps = ["frames/", "pkg:Table"]
outs = ["preview.mp4"]
)";

TEST(Manifest, ParsesEveryFieldOfTheDesignExample) {
  auto m = parse_manifest(kDesignExample, "asset.toml");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->name, "KitchenSet");
  EXPECT_EQ(m->version, Version(1, 4, 0));
  EXPECT_EQ(m->type, "set");
  EXPECT_EQ(m->description, "Kitchen set dressing");
  EXPECT_EQ(m->tags, (std::vector<std::string>{"kitchen", "interior"}));
  ASSERT_EQ(m->dependencies.size(), 3u);  // sorted case-insensitively
  EXPECT_EQ(m->dependencies[0].name, "Chair");
  EXPECT_EQ(m->dependencies[0].range_text, ">=1.2.3,<2.0");
  EXPECT_TRUE(m->dependencies[0].range.contains(Version(1, 9, 0)));
  EXPECT_FALSE(m->dependencies[0].range.contains(Version(2, 0, 0)));
  EXPECT_EQ(m->dependencies[1].name, "Lamp");
  EXPECT_EQ(m->dependencies[2].name, "Table");
  ASSERT_EQ(m->groups.size(), 2u);
  EXPECT_EQ(m->groups.at("build").at(0).name, "Lighting");
  EXPECT_TRUE(m->groups.at("build").at(0).range.contains(Version(2, 5, 0)));
  EXPECT_EQ(m->groups.at("edit").at(0).name, "RigTools");
  EXPECT_EQ(m->include, std::vector<std::string>{"**"});
  EXPECT_EQ(m->exclude, std::vector<std::string>{"**/*.tmp"});
  // [env] in file order (toml11 sorts keys; the parser puts them back), prepend before append.
  ASSERT_EQ(m->env.size(), 8u);
  EXPECT_EQ(m->env[0], (EnvEntry{"KITCHENSET_ROOT", EnvAction::kSet, {"{root}"}}));
  EXPECT_EQ(m->env[1], (EnvEntry{"PATH", EnvAction::kPrepend, {"{root}/bin"}}));
  EXPECT_EQ(m->env[2],
            (EnvEntry{"PYTHONPATH", EnvAction::kPrepend, {"{root}/python", "{root}/lib"}}));
  EXPECT_EQ(m->env[3], (EnvEntry{"HOUDINI_PATH", EnvAction::kAppend, {"{root}/houdini"}}));
  EXPECT_EQ(m->env[4], (EnvEntry{"TOOL", EnvAction::kSet, {"${KITCHENSET_ROOT}/tool"}}));
  EXPECT_EQ(m->env[5], (EnvEntry{"OLD_VAR", EnvAction::kUnset, {}}));
  EXPECT_EQ(m->env[6], (EnvEntry{"MANPATH", EnvAction::kPrepend, {"{root}/man"}}));
  EXPECT_EQ(m->env[7], (EnvEntry{"MANPATH", EnvAction::kAppend, {"/usr/share/man"}}));
  ASSERT_EQ(m->scripts.size(), 1u);
  EXPECT_EQ(m->scripts[0].first, "turntable");
  EXPECT_EQ(m->scripts[0].second, "python3 {root}/tools/turntable.py");
  ASSERT_EQ(m->steps.size(), 1u);
  EXPECT_EQ(m->steps[0].name, "preview");
  EXPECT_EQ(m->steps[0].deps, (std::vector<std::string>{"frames/", "pkg:Table"}));
  EXPECT_EQ(m->steps[0].outs, std::vector<std::string>{"preview.mp4"});
  auto meta = nlohmann::json::parse(m->metadata_json);
  EXPECT_EQ(meta["sequence"], "sq010");
  EXPECT_EQ(meta["frame_in"], 1001);
  EXPECT_DOUBLE_EQ(meta["fps"].get<double>(), 23.976);
  EXPECT_EQ(meta["render"]["camera"], "main");
  EXPECT_EQ(meta["render"]["stereo"], false);
}

TEST(Manifest, DependencyKinds) {
  struct Case {
    const char* range;
    DependencyKind kind;
  };
  for (auto c :
       {Case{"*", DependencyKind::kAbstract}, Case{"", DependencyKind::kAbstract},
        Case{"==3.2.1", DependencyKind::kConcrete}, Case{"=1.0.0", DependencyKind::kConcrete},
        Case{">=1.2.3,<2.0", DependencyKind::kBounded}, Case{"^2", DependencyKind::kBounded},
        Case{"1.2.*", DependencyKind::kBounded}}) {
    auto r = Range::parse(c.range);
    ASSERT_TRUE(r) << c.range;
    EXPECT_EQ(dependency_kind(*r), c.kind) << c.range;
  }
  EXPECT_EQ(dependency_kind_name(DependencyKind::kAbstract), "abstract");
  EXPECT_EQ(dependency_kind_name(DependencyKind::kConcrete), "concrete");
}

TEST(Manifest, RoundTripKeepsEveryField) {
  auto m = parse_manifest(kDesignExample, "asset.toml");
  ASSERT_TRUE(m) << m.error().message;
  // Awkward text must survive quoting.
  m->description = "a \"quoted\" back\\slash\ttab\nnewline \x01 ctl, caf\xc3\xa9";
  m->env.push_back(EnvEntry{"QUOTED", EnvAction::kSet, {"a \"b\" $${x} {root}"}});
  m->scripts.emplace_back("zz.test", "echo 'hi' \"{root}\"");  // a quoted key
  m->steps.push_back(StepSpec{
      "mesh", "assimp export \"$TABLE_ROOT/table.obj\" table.glb", {"pkg:Table"}, {"table.glb"}});
  std::string text = serialize_manifest(*m);
  auto back = parse_manifest(text, "again.toml");
  ASSERT_TRUE(back) << back.error().message << "\n" << text;
  EXPECT_EQ(back->name, m->name);
  EXPECT_EQ(back->version, m->version);
  EXPECT_EQ(back->type, m->type);
  EXPECT_EQ(back->description, m->description);
  EXPECT_EQ(back->tags, m->tags);
  ASSERT_EQ(back->dependencies.size(), m->dependencies.size());
  for (std::size_t i = 0; i < m->dependencies.size(); ++i) {
    EXPECT_EQ(back->dependencies[i].name, m->dependencies[i].name);
    EXPECT_EQ(back->dependencies[i].range_text, m->dependencies[i].range_text);
  }
  EXPECT_EQ(back->groups.at("edit").at(0).range_text, "*");
  EXPECT_EQ(back->include, m->include);
  EXPECT_EQ(back->exclude, m->exclude);
  EXPECT_EQ(back->env, m->env);
  EXPECT_EQ(back->steps, m->steps);
  EXPECT_EQ(back->scripts, m->scripts);
  EXPECT_EQ(nlohmann::json::parse(back->metadata_json), nlohmann::json::parse(m->metadata_json));
  EXPECT_EQ(serialize_manifest(*back), text);  // stable
  // Names are written as bare keys, as DESIGN §2 shows them.
  EXPECT_NE(text.find("\nTable = \"==3.2.1\"\n"), std::string::npos) << text;
}

TEST(Manifest, MinimalManifestRoundTripsWithDefaults) {
  auto m = parse_manifest("[asset]\nname = \"T\"\nversion = \"0.1.0\"\n", "asset.toml");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->include, std::vector<std::string>{"**"});
  EXPECT_TRUE(m->exclude.empty());
  EXPECT_EQ(m->metadata_json, "{}");
  auto back = parse_manifest(serialize_manifest(*m), "again.toml");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->include, std::vector<std::string>{"**"});
  EXPECT_EQ(back->metadata_json, "{}");
}

TEST(Manifest, TgzrVersionIsNormalised) {
  auto m = parse_manifest("[asset]\nname = \"T\"\nversion = \"1.2.3.rc1\"\n", "asset.toml");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->version.to_string(), "1.2.3-rc1");
  EXPECT_NE(serialize_manifest(*m).find("version = \"1.2.3-rc1\""), std::string::npos);
}

struct BadCase {
  std::string text;
  std::vector<std::string> needles;  // each must appear in the message
};

TEST(Manifest, MalformedInputNamesFileLineAndField) {
  const std::string head = "[asset]\nname = \"T\"\nversion = \"1.0.0\"\n";
  std::vector<BadCase> cases = {
      // TOML syntax: toml11's error, reshaped to name the file and line.
      {"[asset]\nname = = \n", {"asset.toml:2: invalid TOML"}},
      {"[asset]\nname = \"T\"\n[asset]\n", {"asset.toml", "invalid TOML"}},
      // Names, versions and ranges.
      {"[asset]\nname = \"-bad\"\nversion = \"1.0.0\"\n", {"asset.toml:2", "[asset] name", "-bad"}},
      {"[asset]\nname = \"a/b\"\nversion = \"1.0.0\"\n", {"[asset] name"}},
      {"[asset]\nname = \"T\"\nversion = \"1.2\"\n", {"asset.toml:3", "[asset] version", "1.2"}},
      {"[asset]\nname = \"T\"\nversion = \"01.2.3\"\n", {"[asset] version"}},
      {head + "[dependencies]\nLeg = \">=1..2\"\n",
       {"asset.toml:5", "[dependencies] Leg", ">=1..2"}},
      {head + "[dependencies]\nTable = \"abc\"\n", {"[dependencies] Table", "abc"}},
      {head + "[dependencies]\n\"bad name\" = \"*\"\n", {"[dependencies] bad name"}},
      {head + "[dependencies]\nLeg = \"*\"\nLEG = \"^1\"\n", {"[dependencies]", "listed twice"}},
      {head + "[dependency-groups]\nbuild = { Lighting = \">=\" }\n",
       {"[dependency-groups] build Lighting"}},
      {head + "[dependency-groups]\nbiuld = { Lighting = \"*\" }\n", {"biuld", "unknown group"}},
      // Wrong types.
      {"[asset]\nname = 5\nversion = \"1.0.0\"\n", {"[asset] name", "expected a string"}},
      {"[asset]\nname = \"T\"\nversion = 1\n", {"[asset] version", "expected a string"}},
      {head + "tags = \"kitchen\"\n", {"[asset] tags", "array of strings"}},
      {head + "tags = [\"a\", 2]\n", {"[asset] tags"}},
      {head + "[dependencies]\nLeg = 1\n", {"[dependencies] Leg", "expected a string"}},
      {head + "dependencies = 3\n", {"[asset] dependencies", "unknown key"}},
      {head + "[files]\ninclude = \"**\"\n", {"[files] include"}},
      {head + "[files]\nexclued = [\"x\"]\n", {"[files] exclued", "unknown key"}},
      {head + "[env]\nX = 1\n",
       {"asset.toml:5", "[env] X", "expected a string (a set) or a table"}},
      {head + "[env]\nX = [\"a\"]\n", {"[env] X", "table of operations"}},
      // [env] operations (issue 12's bad input).
      {head + "[env]\nPATH = { prepnd = \"{root}/bin\" }\n",
       {"asset.toml:5", "[env] PATH", "unknown operation 'prepnd'",
        "prepend, append, set or unset"}},
      {head + "[env]\nPATH = \"{root}/bin:${PATH\"\n",
       {"asset.toml:5", "[env] PATH", "'${PATH' never closes", "at byte 12"}},
      {head + "[env]\nPATH = { prepend = [\"a\", \"${X\"] }\n",
       {"[env] PATH.prepend", "never closes"}},
      {head + "[env]\nX = \"${}\"\n", {"[env] X", "cannot be empty"}},
      {head + "[env]\nX = \"${A-B}\"\n", {"[env] X", "[A-Za-z0-9_]"}},
      {head + "[env]\n\"A-B\" = \"x\"\n", {"[env] A-B", "variable name"}},
      {head + "[env]\n\"1X\" = \"x\"\n", {"[env] 1X", "starts with a letter"}},
      {head + "[env]\nX = {}\n", {"[env] X", "empty table"}},
      {head + "[env]\nX = { set = \"a\", append = \"b\" }\n", {"[env] X", "stand alone"}},
      {head + "[env]\nX = { unset = false }\n", {"[env] X.unset", "expected true"}},
      {head + "[env]\nX = { append = [] }\n", {"[env] X.append", "empty array"}},
      {head + "[env]\nX = { set = 3 }\n", {"[env] X.set", "expected a string"}},
      {head + "env = 3\n", {"[asset] env", "unknown key"}},
      // [scripts].
      {head + "[scripts]\ninfo = 1\n", {"asset.toml:5", "[scripts] info", "non-empty string"}},
      {head + "[scripts]\n\"a b\" = \"x\"\n", {"[scripts] a b", "script name"}},
      {head + "[scripts]\nInfo = \"x\"\ninfo = \"y\"\n", {"[scripts] info", "listed twice"}},
      // [[step]].
      {head + "[[step]]\ncmd = \"true\"\n", {"asset.toml:4", "[[step]] #1", "missing name"}},
      {head + "[[step]]\nname = \"a\"\n", {"[[step]] a", "missing cmd"}},
      {head + "[[step]]\nname = \"a\"\ncmd = \"x\"\ndpes = []\n",
       {"[[step]] a dpes", "unknown key"}},
      {head + "[[step]]\nname = \"a\"\ncmd = \"x\"\ndeps = [\"../up\"]\n",
       {"[[step]] a deps", "'../up'", ".."}},
      {head + "[[step]]\nname = \"a\"\ncmd = \"x\"\ndeps = [\"pkg:-x\"]\n",
       {"[[step]] a deps", "'pkg:-x'"}},
      {head + "[[step]]\nname = \"a\"\ncmd = \"x\"\nouts = [\"pkg:T\"]\n",
       {"[[step]] a outs", "not a package"}},
      {head + "[[step]]\nname = \"a\"\ncmd = \"x\"\nouts = [\"steps.lock\"]\n",
       {"[[step]] a outs", "written by reel"}},
      {head + "[[step]]\nname = \"a\"\ncmd = \"x\"\n[[step]]\nname = \"A\"\ncmd = \"y\"\n",
       {"[[step]] A", "a second step"}},
      {head + "[[step]]\nname = \"a\"\ncmd = \"x\"\ndeps = [\"o\"]\nouts = [\"o/p\"]\n",
       {"step a reads o, which it writes itself"}},
      {head + "[[step]]\nname = \"a\"\ncmd = \"x\"\nouts = [\"o/\"]\n[[step]]\nname = \"b\"\ncmd = "
              "\"y\"\nouts = [\"o/p\"]\n",
       {"steps a and b both write o/"}},
      {head + "[[step]]\nname = \"a\"\ncmd = \"x\"\ndeps = [\"b.txt\"]\nouts = [\"a.txt\"]\n"
              "[[step]]\nname = \"b\"\ncmd = \"y\"\ndeps = [\"a.txt\"]\nouts = [\"b.txt\"]\n",
       {"asset.toml: [[step]]: the steps form a cycle: a -> b -> a", "a reads b.txt, written by b",
        "b reads a.txt, written by a"}},
      {"step = 3\n" + head, {"[[step]]", "array of tables"}},
      {"metadata = 5\n" + head, {"[metadata]", "expected a table"}},
      // Missing or unknown parts.
      {"[dependencies]\nLeg = \"*\"\n", {"missing [asset]"}},
      {"[asset]\nversion = \"1.0.0\"\n", {"[asset] name", "missing"}},
      {"[asset]\nname = \"T\"\n", {"[asset] version", "missing"}},
      {head + "nmae = \"x\"\n", {"[asset] nmae", "unknown key"}},
      {head + "[dependnecies]\nLeg = \"*\"\n", {"[dependnecies]", "unknown section"}},
  };
  for (const auto& c : cases) {
    auto m = parse_manifest(c.text, "asset.toml");
    ASSERT_FALSE(m) << c.text;
    EXPECT_EQ(m.error().code, ErrorCode::kInvalidArgument) << c.text;
    for (const auto& needle : c.needles) {
      EXPECT_NE(m.error().message.find(needle), std::string::npos)
          << "wanted '" << needle << "' in: " << m.error().message;
    }
  }
}

TEST(Manifest, NonUtf8AndControlCharactersAreRejectedBeforeParsing) {
  // The bytes that overflow toml11 3.7.1's heap buffer (DESIGN §8) must never reach it: the
  // message is check_text's ("at byte"), not toml11's.
  const std::string crasher("\x0a\x27\xe1\x27\xe1\x01", 6);
  std::vector<BadCase> cases = {
      {crasher, {"asset.toml:2", "invalid UTF-8", "at byte 2"}},
      {"[asset]\nname = \"T\x01\"\n", {"asset.toml:2", "control character", "at byte 17"}},
      {"[asset]\nname = \"T\x7f\"\n", {"control character"}},
      {"[asset]\nname = \"T\"\x00\n", {"control character"}},
      {"[asset]\nname = \"\xc0\xaf\"\n", {"invalid UTF-8"}},          // overlong '/'
      {"[asset]\nname = \"\xed\xa0\x80\"\n", {"invalid UTF-8"}},      // a UTF-16 surrogate
      {"[asset]\nname = \"\xf4\x90\x80\x80\"\n", {"invalid UTF-8"}},  // above U+10FFFF
      {"[asset]\nname = \"\xe2\x82\"\n", {"invalid UTF-8"}},          // truncated sequence
      {"\xff", {"asset.toml:1", "invalid UTF-8", "at byte 0"}},
  };
  for (auto& c : cases) {
    if (c.text == "[asset]\nname = \"T\"") c.text.push_back('\0');
    auto m = parse_manifest(c.text, "asset.toml");
    ASSERT_FALSE(m) << c.text;
    EXPECT_EQ(m.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(m.error().message.find("invalid TOML"), std::string::npos) << m.error().message;
    for (const auto& needle : c.needles) {
      EXPECT_NE(m.error().message.find(needle), std::string::npos)
          << "wanted '" << needle << "' in: " << m.error().message;
    }
  }
  // Tabs, CRLF line ends and multi-byte UTF-8 are fine.
  auto m = parse_manifest(
      "[asset]\r\nname\t= \"T\"\r\nversion = \"1.0.0\"\r\ndescription = \"caf\xc3\xa9 "
      "\xf0\x9f\x8e\xac\"\r\n",
      "asset.toml");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->description, "caf\xc3\xa9 \xf0\x9f\x8e\xac");
}

// Found by fuzz_manifest (fuzz/regressions/fuzz_manifest/metadata-nan.toml): JSON has no nan or
// inf, so [metadata] holding one would not read back the same.
TEST(Manifest, MetadataRefusesNanAndInf) {
  for (const char* value : {"nan", "+inf", "-inf", "[1.0, nan]", "{ a = inf }"}) {
    auto m = parse_manifest(std::string("[asset]\nname = \"T\"\nversion = \"1.0.0\"\n[metadata]\n"
                                        "fps = ") + value + "\n",
                            "asset.toml");
    ASSERT_FALSE(m) << value;
    EXPECT_NE(m.error().message.find("asset.toml:5: [metadata]: nan and inf have no JSON form"),
              std::string::npos)
        << m.error().message;
  }
  EXPECT_TRUE(parse_manifest("[asset]\nname = \"T\"\nversion = \"1.0.0\"\n[metadata]\nfps = 23.976\n",
                             "asset.toml"));
}

TEST(Names, PackageNameRules) {
  EXPECT_TRUE(check_package_name("KitchenSet"));
  EXPECT_TRUE(check_package_name("stk-lib_a.1"));
  EXPECT_TRUE(check_package_name("9lives"));
  EXPECT_TRUE(check_package_name(std::string(64, 'a')));
  for (std::string bad : std::vector<std::string>{"", "-x", ".x", "_x", "a/b", "a b", "caf\xc3\xa9",
                                                  std::string(65, 'a')}) {
    auto st = check_package_name(bad);
    ASSERT_FALSE(st) << bad;
    EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(st.error().message.find("'" + bad + "'"), std::string::npos) << st.error().message;
  }
  EXPECT_EQ(lower_name("KitchenSet-2.A"), "kitchenset-2.a");
}

TEST(Names, CheckTextNamesLineAndByteOffset) {
  EXPECT_TRUE(check_text("a\tb\r\nc\n", "f"));
  auto st = check_text("ab\ncd\nef\x02", "dir/f.toml");
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("dir/f.toml:3"), std::string::npos) << st.error().message;
  EXPECT_NE(st.error().message.find("at byte 8"), std::string::npos) << st.error().message;
}

}  // namespace
}  // namespace reel
