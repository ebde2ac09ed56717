// Placeholder: the repo command group is being written.
#include "cli.h"

namespace reel::cli {
void register_repo_commands(CLI::App& /*app*/, Cli& /*cli*/) {}
}  // namespace reel::cli
