// Placeholder: the output command group is being written.
#include "cli.h"

namespace reel::cli {
void register_output_commands(CLI::App& /*app*/, Cli& /*cli*/) {}
}  // namespace reel::cli
