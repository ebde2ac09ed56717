// Placeholder: the inspect command group is being written.
#include "cli.h"

namespace reel::cli {
void register_inspect_commands(CLI::App& /*app*/, Cli& /*cli*/) {}
}  // namespace reel::cli
