// Placeholder: the install command group is being written.
#include "cli.h"

namespace reel::cli {
void register_install_commands(CLI::App& /*app*/, Cli& /*cli*/) {}
}  // namespace reel::cli
