// The crash sweep driver (sweep.h).
#include "sweep.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>

namespace reel::crash {
namespace {

constexpr std::uint64_t kMaxPoints = 5000;  // a runaway guard, far above any operation's count

}  // namespace

std::uint64_t sweep(const Operation& op, PowerLossModel model) {
  for (std::uint64_t n = 1; n <= kMaxPoints; ++n) {
    SCOPED_TRACE(op.name + ", power lost at write point " + std::to_string(n) +
                 " (or just after the operation) (" + power_loss_model_name(model) + ")");
    auto world = std::make_unique<World>();
    op.setup(*world);
    if (::testing::Test::HasFatalFailure()) return 0;
    bool completed = false;
    {
      FaultInjectingFileSystem faulty(world->real());
      faulty.track_durability(world->stash());
      faulty.crash_at_write_point(n);
      Status st = op.run(*world, faulty);
      if (!faulty.crashed()) {
        // Point n was never reached: the operation completed, with n - 1 points; the power is
        // lost just after it returned.
        EXPECT_TRUE(st) << st.error().message;
        completed = true;
      }
      Status lost = faulty.simulate_power_loss(model);
      EXPECT_TRUE(lost) << lost.error().message;
    }
    op.check(*world, model, false);
    if (completed && op.durable) op.durable(*world, model);
    if (op.before_rerun) op.before_rerun(*world);
    FaultInjectingFileSystem fresh(world->real());
    Status again = op.run(*world, fresh);
    EXPECT_TRUE(again) << "re-running: " << again.error().message;
    op.check(*world, model, true);
    if (completed || ::testing::Test::HasFailure()) return n - 1;
  }
  ADD_FAILURE() << op.name << " never completed within " << kMaxPoints << " write points";
  return kMaxPoints;
}

std::uint64_t sweep_both(const Operation& op) {
  const std::uint64_t strict = sweep(op, PowerLossModel::kUnsyncedEntriesLost);
  if (::testing::Test::HasFailure()) return strict;
  const std::uint64_t ext4 = sweep(op, PowerLossModel::kMetadataKeptDataLost);
  if (::testing::Test::HasFailure()) return ext4;
  EXPECT_EQ(strict, ext4) << "the operation's write points differ between runs";
  std::printf("crash sweep: %s: %llu write points, each under both power-loss models\n",
              op.name.c_str(), static_cast<unsigned long long>(strict));
  ::testing::Test::RecordProperty("write_points", std::to_string(strict));
  return strict;
}

}  // namespace reel::crash
