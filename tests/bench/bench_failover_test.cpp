// run_bench_failover on small topologies: every stack registers with the primary, fails over
// to the backup after the crash, and the virtual figures depend only on the seed.
#include <gtest/gtest.h>

#include "nsslab/bench/failover.hpp"

namespace nsslab::bench {
namespace {

TEST(BenchFailover, EveryStackFailsOverToTheBackup) {
    BenchFailoverOptions options;
    options.stacks = 20;  // 3 systems: 8 + 8 + 4 stacks
    auto r = run_bench_failover(options);
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(r->systems, 3u);
    EXPECT_EQ(r->connected_to_primary, 20u);
    EXPECT_EQ(r->failed_over, 20u);
    EXPECT_TRUE(r->ok());
    EXPECT_GT(r->time_to_backup.count(), 0);
    EXPECT_GT(r->events, 0u);
    EXPECT_GT(r->peak_rss_bytes, 0u);
    std::string text = describe(*r);
    EXPECT_NE(text.find("failed over:            20 of 20 (all)"), std::string::npos) << text;
    EXPECT_NE(text.find("connected to primary:   20 of 20"), std::string::npos) << text;
}

TEST(BenchFailover, SameSeedSameVirtualFigures) {
    BenchFailoverOptions options;
    options.stacks = 9;
    options.stacks_per_system = 2;
    options.seed = 42;
    auto a = run_bench_failover(options);
    auto b = run_bench_failover(options);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->systems, 5u);
    EXPECT_EQ(a->events, b->events);
    EXPECT_EQ(a->packets, b->packets);
    EXPECT_EQ(a->time_to_primary, b->time_to_primary);
    EXPECT_EQ(a->time_to_backup, b->time_to_backup);
    EXPECT_TRUE(a->ok());
}

// With server CPU time charged, the backup's one CPU serves the herd one handshake and one
// registration after another: 16 stacks x (100 ms + 25 ms) take 2 s of virtual time.
TEST(BenchFailover, ServerCpuTimeSpreadsTheHerd) {
    BenchFailoverOptions options;
    options.stacks = 16;
    options.server_handshake_time = std::chrono::milliseconds{100};
    options.server_register_time = std::chrono::milliseconds{25};
    auto r = run_bench_failover(options);
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_TRUE(r->ok());
    EXPECT_EQ(r->connected_to_primary, 16u);
    EXPECT_GE(r->time_to_backup, std::chrono::milliseconds{2000});
    EXPECT_LT(r->time_to_backup, std::chrono::milliseconds{2500});
    EXPECT_NE(describe(*r).find("100000 us per TLS handshake, 25000 us per registration"),
              std::string::npos)
        << describe(*r);
}

// A primary too slow for IKED's wait limits: the last stacks register with the backup before
// the crash, and count as failed over once it happens.
TEST(BenchFailover, StacksThePrimaryDidNotServeInTimeAreOnTheBackupAlready) {
    BenchFailoverOptions options;
    options.stacks = 3;
    options.server_handshake_time = std::chrono::seconds{4};
    auto r = run_bench_failover(options);
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(r->connected_to_primary + r->on_backup_before_crash, 3u);
    EXPECT_GT(r->on_backup_before_crash, 0u);
    EXPECT_TRUE(r->ok()) << describe(*r);
    EXPECT_NE(describe(*r).find("registered with the backup before the crash"), std::string::npos);
}

TEST(BenchFailover, NotEveryStackFailingOverIsNotOk) {
    BenchFailoverResult r;
    r.stacks = 10;
    r.failed_over = 9;
    EXPECT_FALSE(r.ok());
    EXPECT_NE(describe(r).find("(NOT ALL)"), std::string::npos);
}

TEST(BenchFailover, RejectsBadSizes) {
    BenchFailoverOptions options;
    options.stacks = 0;
    EXPECT_FALSE(run_bench_failover(options));
    options.stacks = 4;
    options.stacks_per_system = 9;  // Common INET: at most 8 stacks per system
    EXPECT_FALSE(run_bench_failover(options));
}

}  // namespace
}  // namespace nsslab::bench
