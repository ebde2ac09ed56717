// Watchtower export pieces that need no repo (the export itself: tests/e2e/studio.sh).
#include "reel/workspace/watchtower.h"

#include <gtest/gtest.h>

namespace reel {
namespace {

TEST(UuidV5, MatchesRfc4122AndPython) {
  // Python: uuid.uuid5(uuid.NAMESPACE_URL, "http://www.python.org").
  EXPECT_EQ(uuid_v5("http://www.python.org"), "5e077b6f-5fcc-5a59-b52a-0092db3520c3");
  EXPECT_EQ(uuid_v5("reel:watchtower:project:Kitchen"), "b8cba691-1ae9-5559-b450-0aa2649adb45");
  EXPECT_NE(uuid_v5("a"), uuid_v5("b"));
}

}  // namespace
}  // namespace reel
