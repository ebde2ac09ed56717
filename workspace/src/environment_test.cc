#include "reel/workspace/environment.h"

#include <gtest/gtest.h>

#include "reel/workspace/credentials.h"
#include "reel/workspace/inspect.h"
#include "reel/workspace/install.h"
#include "reel/workspace/interactive_shell.h"
#include "reel/workspace/outputs.h"
#include "reel/workspace/scripts.h"
#include "reel/workspace/shell_syntax.h"
#include "workspace_fixture.h"

namespace reel {
namespace {

constexpr auto write = testing::write_file;

// The issue's first failure: `PATH = "{root}/bin:${PATH}"` was written literally.
TEST_F(WorkspaceFixture, EnvExpandsRootAndVariablesOnTheCallersEnvironment) {
  ctx.environment = {{"PATH", "/usr/bin:/bin"},
                     {"HOME", "/home/a"},
                     {std::string(kCommandLineTokenKey), "secret"}};
  Workspace ws = make("my ws");
  require(ws, {{"Lamp", "*"}});
  ASSERT_TRUE(sync_workspace(ws, SyncMode::kResolveIfNeeded, {}));
  // Lamp's published [env] is LAMP_ROOT = "{root}"; add an output with the issue's spelling.
  ASSERT_TRUE(new_output(ws, "Tools", {}));
  write(ws.outputs_dir() / "Tools" / "asset.toml",
        "[asset]\nname = \"Tools\"\nversion = \"0.1.0\"\n[dependencies]\nLamp = \"*\"\n"
        "[env]\nPATH = \"{root}/bin:${PATH}\"\nTOOL_LAMP = \"${Lamp_ROOT}/lamp\"\n"
        "PYTHONPATH = { prepend = [\"{root}/python\", \"{root}/lib\"] }\n");
  auto lock = ws.read_lock().value().value();
  auto env = workspace_environment(ws, &lock).value();
  fs::path tools = ws.outputs_dir() / "Tools";
  EXPECT_EQ(env.variables.at("PATH"), (tools / "bin").string() + ":/usr/bin:/bin");
  EXPECT_EQ(env.variables.at("TOOL_LAMP"), (ws.inputs_dir() / "Lamp" / "lamp").string());
  EXPECT_EQ(env.variables.at("PYTHONPATH"),
            (tools / "python").string() + ":" + (tools / "lib").string());
  EXPECT_EQ(env.variables.at("HOME"), "/home/a");
  EXPECT_EQ(env.variables.at("REEL_WORKSPACE"), ws.root().string());
  EXPECT_EQ(env.variables.count(std::string(kCommandLineTokenKey)), 0u);  // never to a child
  EXPECT_EQ(env.base.count(std::string(kCommandLineTokenKey)), 0u);
  EXPECT_EQ(env.touched, (std::vector<std::string>{"REEL_WORKSPACE", "REEL_INPUTS", "Lamp_ROOT",
                                                   "PATH", "TOOL_LAMP", "PYTHONPATH"}));
  ASSERT_EQ(env.assets.size(), 2u);
  EXPECT_EQ(env.assets[0].name, "Lamp");  // Tools depends on Lamp: Lamp first
  EXPECT_TRUE(env.assets[1].editable);
  EXPECT_EQ(env.assets[1].locked, nullptr);  // an output the lock does not name takes part
}

// The issue's third failure: an asset edited in outputs/ was ignored by the environment.
TEST_F(WorkspaceFixture, AnOutputShadowsTheInstalledPackageButNotTheLock) {
  Workspace ws = make("ws");
  require(ws, {{"Table", "^1"}});
  ASSERT_TRUE(sync_workspace(ws, SyncMode::kResolveIfNeeded, {}));
  std::string lock_before = fs->read_file(ws.lock_path()).value();
  ASSERT_TRUE(edit_output(ws, "Table", std::nullopt, std::nullopt));  // the newest: 2.0.0
  auto lock = ws.read_lock().value().value();
  auto env = workspace_environment(ws, &lock).value();
  EXPECT_EQ(env.variables.at("Table_ROOT"), (ws.outputs_dir() / "Table").string());
  EXPECT_EQ(env.variables.at("Leg_ROOT"), (ws.inputs_dir() / "Leg").string());
  EXPECT_EQ(fs->read_file(ws.lock_path()).value(), lock_before);
  EXPECT_EQ(fs->read_file(ws.inputs_dir() / "Table" / "model.obj").value(), "table-v1");
  // reel tree marks it.
  auto lines = tree_lines(dependency_tree(ws, lock).value());
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "Table 1.0.0 (editable)");
  // An output version outside a dependent's range: a warning naming both.
  ASSERT_TRUE(new_output(ws, "Leg", {"", Version(2, 0, 0)}));
  auto warnings = editable_range_warnings(ws, lock).value();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("outputs/Leg is Leg 2.0.0, outside Table 2.0.0's range ^1"),
            std::string::npos)
      << warnings[0];
  EXPECT_NE(warnings[0].find("reel.lock and inputs/ keep Leg 1.0.0"), std::string::npos);
}

TEST_F(WorkspaceFixture, ScriptsAreFoundByNameOrAssetAndAmbiguityIsAnError) {
  Workspace ws = make("ws");
  for (const char* name : {"Alpha", "Beta"}) {
    ASSERT_TRUE(new_output(ws, name, {}));
    write(ws.outputs_dir() / name / "asset.toml",
          std::string("[asset]\nname = \"") + name +
              "\"\nversion = \"0.1.0\"\n[scripts]\ninfo = \"echo {root}\"\n" +
              (std::string(name) == "Alpha" ? "only = \"true\"\n" : ""));
  }
  auto assets = environment_assets(ws, nullptr).value();
  auto all = workspace_scripts(assets);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].asset + ":" + all[0].name, "Alpha:info");
  EXPECT_EQ(find_script(assets, "only").value().asset, "Alpha");
  EXPECT_EQ(find_script(assets, "beta:INFO").value().asset, "Beta");
  auto two = find_script(assets, "info");
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().code, ErrorCode::kConflict);
  EXPECT_EQ(two.error().message,
            "the script 'info' is offered by Alpha and Beta: run Alpha:info or Beta:info");
  auto nosuch = find_script(assets, "Beta:nosuch");
  ASSERT_FALSE(nosuch);
  EXPECT_EQ(nosuch.error().message, "Beta has no script 'nosuch' (its scripts: info)");
  EXPECT_FALSE(find_script(assets, "Gamma:info"));
  EXPECT_TRUE(names_script(assets, "Gamma:info"));  // answered by find_script's error
  EXPECT_FALSE(names_script(assets, "ls"));
  EXPECT_FALSE(names_script(assets, "/usr/bin/a:b"));
  // sh -c 'echo <root, quoted> "$@"' Alpha:info ARGS...
  auto r = script_request(find_script(assets, "Alpha:info").value(), {"a b", "$x"}, {}, "/tmp");
  EXPECT_EQ(r.argv, (std::vector<std::string>{
                        "/bin/sh", "-c",
                        "echo " + posix_quote((ws.outputs_dir() / "Alpha").string()) + " \"$@\"",
                        "Alpha:info", "a b", "$x"}));
}

// The issue's second failure: `reel env` could not be sourced (no export, no quoting).
TEST(ShellSyntax, EveryShellQuotesEveryValue) {
  EXPECT_EQ(posix_quote("/ws/a"), "/ws/a");
  EXPECT_EQ(posix_quote("/my ws/it's"), "'/my ws/it'\\''s'");
  EXPECT_EQ(posix_quote(""), "''");
  EXPECT_EQ(posix_quote("$HOME`x`"), "'$HOME`x`'");
  EXPECT_EQ(shell_assignment(ShellKind::kPosix, "A", std::string("x y")), "export A='x y'");
  EXPECT_EQ(shell_assignment(ShellKind::kPosix, "A", std::nullopt), "unset A");
  EXPECT_EQ(shell_assignment(ShellKind::kFish, "A", std::string("it's \\")),
            "set -gx A 'it\\'s \\\\'");
  EXPECT_EQ(shell_assignment(ShellKind::kFish, "PATH", std::string("/a b:/c")),
            "set -gx PATH '/a b' '/c'");
  EXPECT_EQ(shell_assignment(ShellKind::kFish, "A", std::nullopt), "set -e A");
  EXPECT_EQ(shell_assignment(ShellKind::kPowerShell, "A", std::string("it's \xe2\x80\x99")),
            "$env:A = 'it''s \xe2\x80\x99\xe2\x80\x99'");
  EXPECT_EQ(shell_assignment(ShellKind::kPowerShell, "A", std::nullopt),
            "Remove-Item -ErrorAction SilentlyContinue Env:A");
  EXPECT_EQ(parse_shell_kind("zsh").value(), ShellKind::kPosix);
  EXPECT_FALSE(parse_shell_kind("tcsh"));
  EXPECT_EQ(substitute_root_quoted("python3 {root}/t.py {root}", "/my ws"),
            "python3 '/my ws'/t.py '/my ws'");
}

TEST_F(WorkspaceFixture, ShellRequestMarksThePrompt) {
  Workspace ws = make("ws");
  WorkspaceEnvironment env;
  env.variables = {{"PATH", "/bin"}};
  env.base = {{"HOME", "/home/a"}};
  auto bash = shell_request(ws, env, "/bin/bash", {}, "/tmp").value();
  ASSERT_EQ(bash.argv.size(), 4u);
  EXPECT_EQ(bash.argv[1], "--rcfile");
  std::string rc = fs->read_file(bash.argv[2]).value();
  EXPECT_NE(rc.find(". ~/.bashrc"), std::string::npos);
  EXPECT_NE(rc.find("PS1='(reel:ws) '"), std::string::npos) << rc;
  EXPECT_EQ(bash.environment.at("REEL_SHELL"), "ws");
  auto dash = shell_request(ws, env, "/bin/dash", {}, "/tmp").value();
  EXPECT_EQ(dash.environment.at("PS1"), "(reel:ws) $ ");
  auto cmd = shell_request(ws, env, "/bin/bash", {"echo", "a b"}, "/tmp").value();
  EXPECT_EQ(cmd.argv, (std::vector<std::string>{"/bin/bash", "-c", "echo 'a b'"}));
  auto line = shell_request(ws, env, "/bin/bash", {"echo $PATH"}, "/tmp").value();
  EXPECT_EQ(line.argv[2], "echo $PATH");
}

}  // namespace
}  // namespace reel
