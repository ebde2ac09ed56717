// Shared scanning helpers for Version and Range parsing (private to the resolver).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reel/resolver/version.h"

namespace reel::detail {

struct ParseFailure {
  std::size_t position = 0;
  std::string message;
};

bool all_digits(std::string_view s);
bool parse_number(std::string_view text, std::size_t& pos, std::uint64_t& value,
                  ParseFailure& failure);
bool parse_identifiers(std::string_view text, std::size_t& pos, bool prerelease,
                       std::vector<std::string>& out, ParseFailure& failure);
// A full version at text[pos...]; advances pos past it.
bool parse_version_at(std::string_view text, std::size_t& pos, Version& out, ParseFailure& failure);

}  // namespace reel::detail
