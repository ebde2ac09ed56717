// The per-client cap on partial request heads (docs/http.md "Auth, limits, errors"): how many
// connections of each remote address are between the first byte of a request head and its end.
// Whole heads that arrive at once are never counted, so a farm node's many connections are not
// limited; a client that trickles heads on many connections is.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

namespace reel::server {

// Thread-safe: every connection thread enters and leaves.
class ClientHeads {
 public:
  explicit ClientHeads(int max_per_client) : max_(max_per_client) {}

  // Counts one more partial head for `address` (a numeric IP address); false, counting nothing,
  // when the address already holds the maximum.
  bool enter(const std::string& address);
  // Ends one partial head counted by enter().
  void leave(const std::string& address);

 private:
  const int max_;
  std::mutex mutex_;
  std::unordered_map<std::string, int> counts_;  // addresses with at least one partial head
};

}  // namespace reel::server
