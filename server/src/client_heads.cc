// Partial request heads per client (client_heads.h).
#include "client_heads.h"

namespace reel::server {

bool ClientHeads::enter(const std::string& address) {
  std::lock_guard<std::mutex> hold(mutex_);
  int& count = counts_[address];
  if (count >= max_) return false;
  ++count;
  return true;
}

void ClientHeads::leave(const std::string& address) {
  std::lock_guard<std::mutex> hold(mutex_);
  auto it = counts_.find(address);
  if (it != counts_.end() && --it->second <= 0) counts_.erase(it);
}

}  // namespace reel::server
