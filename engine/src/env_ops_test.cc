#include "reel/engine/env_ops.h"

#include <gtest/gtest.h>

#include "reel/engine/step_spec.h"

namespace reel {
namespace {

std::string expand(std::string_view text, const std::map<std::string, std::string>& vars) {
  return expand_env_template(text, "/ws/My Assets/Tools", [&](const std::string& n) {
    auto it = vars.find(n);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  });
}

TEST(EnvTemplate, ExpandsRootVariablesAndDollarDollarInOnePass) {
  std::map<std::string, std::string> vars = {{"PATH", "/usr/bin:/bin"}, {"LOOP", "${PATH}"}};
  EXPECT_EQ(expand("{root}/bin:${PATH}", vars), "/ws/My Assets/Tools/bin:/usr/bin:/bin");
  EXPECT_EQ(expand("${UNSET}x", vars), "x");                       // unset is empty, as in a shell
  EXPECT_EQ(expand("$${PATH} $HOME $", vars), "${PATH} $HOME $");  // only ${ is special
  EXPECT_EQ(expand("${LOOP}", vars), "${PATH}");  // a value is never expanded again
  EXPECT_EQ(expand("{ROOT} {root", vars), "{ROOT} {root");
  EXPECT_FALSE(env_template_problem("{root}/bin:${PATH}"));
  EXPECT_EQ(env_template_problem("a:${PATH").value(),
            "'${PATH' never closes (at byte 3; write $$ for a literal $)");
  EXPECT_TRUE(env_template_problem("${}"));
  EXPECT_TRUE(env_template_problem("${9X}"));
  EXPECT_TRUE(env_template_reads("{root}:${PATH}", "PATH"));
  EXPECT_FALSE(env_template_reads("{root}:$${PATH}", "PATH"));
}

TEST(EnvNames, PortableNamesOnly) {
  for (auto good : {"PATH", "_x", "A1_b"}) EXPECT_FALSE(env_name_problem(good)) << good;
  for (auto bad : {"", "1A", "A-B", "A.B", "A B", "A=B"}) EXPECT_TRUE(env_name_problem(bad)) << bad;
}

// rez's semantics: env.PATH.prepend(), .append(), set, unset, applied layer after layer on top of
// the caller's environment.
TEST(ComposeEnv, AppliesOperationsInOrderOnTheCallersEnvironment) {
  std::vector<EnvEntry> tools = {
      {"PATH", EnvAction::kPrepend, {"{root}/bin"}},
      {"PYTHONPATH", EnvAction::kPrepend, {"{root}/python", "{root}/lib"}},
      {"TOOLS_ROOT", EnvAction::kSet, {"{root}"}},
      {"DROP_ME", EnvAction::kUnset, {}},
  };
  std::vector<EnvEntry> shot = {
      {"PATH", EnvAction::kAppend, {"{root}/scripts"}},
      {"SHOT_TOOL", EnvAction::kSet, {"${TOOLS_ROOT}/shot"}},
      {"PATH", EnvAction::kSet, {"{root}/first:${PATH}"}},  // the issue's spelling of prepend
  };
  auto out = compose_env({{"PATH", "/usr/bin"}, {"DROP_ME", "1"}, {"HOME", "/home/a"}},
                         {{"Tools", "/t", &tools}, {"Shot", "/s", &shot}});
  EXPECT_EQ(out.variables.at("PATH"), "/s/first:/t/bin:/usr/bin:/s/scripts");
  EXPECT_EQ(out.variables.at("PYTHONPATH"), "/t/python:/t/lib");  // unset before: no stray ':'
  EXPECT_EQ(out.variables.at("SHOT_TOOL"), "/t/shot");
  EXPECT_EQ(out.variables.at("HOME"), "/home/a");
  EXPECT_EQ(out.variables.count("DROP_ME"), 0u);
  EXPECT_EQ(out.touched,
            (std::vector<std::string>{"PATH", "PYTHONPATH", "TOOLS_ROOT", "DROP_ME", "SHOT_TOOL"}));
  EXPECT_TRUE(out.warnings.empty());  // a set that reads its own variable is a modification
}

TEST(ComposeEnv, AnEmptyVariableIsTreatedAsUnset) {
  std::vector<EnvEntry> a = {{"P", EnvAction::kAppend, {"x", "y"}}};
  EXPECT_EQ(compose_env({{"P", ""}}, {{"A", "/a", &a}}).variables.at("P"), "x:y");
}

TEST(ComposeEnv, TwoAssetsSettingOneVariableDifferentlyIsAWarningNamingBoth) {
  std::vector<EnvEntry> a = {{"RENDERER", EnvAction::kSet, {"arnold"}},
                             {"SAME", EnvAction::kSet, {"1"}}};
  std::vector<EnvEntry> b = {{"RENDERER", EnvAction::kSet, {"cycles"}},
                             {"SAME", EnvAction::kSet, {"1"}}};
  std::vector<EnvEntry> c = {{"RENDERER", EnvAction::kUnset, {}}};
  auto out = compose_env({}, {{"A", "/a", &a}, {"B", "/b", &b}, {"C", "/c", &c}});
  EXPECT_EQ(out.variables.count("RENDERER"), 0u);
  ASSERT_EQ(out.warnings.size(), 2u);
  EXPECT_EQ(out.warnings[0],
            "RENDERER is set by A ('arnold') and by B ('cycles'); B's value is used (dependents "
            "come after their dependencies)");
  EXPECT_NE(out.warnings[1].find("by B ('cycles') and by C (unset)"), std::string::npos);
}

TEST(StepOrder, ProducersFirstTiesInFileOrder) {
  std::vector<StepSpec> steps = {
      {"publish", "x", {"preview.mp4", "table.glb"}, {"report.txt"}},
      {"preview", "y", {"frames/"}, {"preview.mp4"}},
      {"mesh", "z", {"pkg:Table"}, {"table.glb"}},
      {"lone", "w", {}, {}},
  };
  auto order = step_order(steps).value();
  EXPECT_EQ(order, (std::vector<std::size_t>{1, 2, 0, 3}));
  EXPECT_TRUE(step_paths_overlap("frames", "frames/0001.png"));
  EXPECT_FALSE(step_paths_overlap("frames", "frames2"));
  EXPECT_EQ(step_dep_package("pkg:Table").value(), "Table");
  EXPECT_FALSE(step_dep_package("frames/"));
}

TEST(StepOrder, ACycleNamesEveryStepOnIt) {
  std::vector<StepSpec> steps = {
      {"a", "x", {"c.txt"}, {"a.txt"}},
      {"b", "y", {"a.txt"}, {"b.txt"}},
      {"c", "z", {"b.txt"}, {"c.txt"}},
  };
  auto order = step_order(steps);
  ASSERT_FALSE(order);
  EXPECT_EQ(order.error().message,
            "the steps form a cycle: a -> c -> b -> a (a reads c.txt, written by c; c reads "
            "b.txt, written by b; b reads a.txt, written by a)");
}

}  // namespace
}  // namespace reel
