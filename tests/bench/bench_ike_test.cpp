// `nsslab bench ike` building blocks: the suites, the pair of endpoints (every suite establishes
// and deletes SAs with signatures and with PSKs, asking for exactly the requests one SA needs),
// the raw OpenSSL floor, and the printed lines. Behaviour only: no figure is compared with a
// timing expectation.
#include <gtest/gtest.h>

#include "nsslab/bench/ike.hpp"
#include "nsslab/bench/sign.hpp"

namespace nsslab::bench {
namespace {

TEST(BenchIke, SuiteNames) {
    for (auto s : all_ike_suites())
        EXPECT_EQ(ike_suite_from_string(to_string(s)), s);
    EXPECT_FALSE(ike_suite_from_string("p384"));
    EXPECT_EQ(ike_proposal(IkeSuite::p256).dh, crypto::DhGroup::ecp_256);
    EXPECT_EQ(ike_proposal(IkeSuite::rsa2048).dh, crypto::DhGroup::modp_2048);
    EXPECT_EQ(ike_proposal(IkeSuite::rsa2048).encryption, crypto::EncryptionAlgorithm::aes_cbc_256);
}

class BenchIkeSuites : public ::testing::TestWithParam<IkeSuite> {};

TEST_P(BenchIkeSuites, PairEstablishesAndDeletesWithSignatures) {
    auto keys = IkeBenchKeys::create(GetParam());
    ASSERT_TRUE(keys.has_value()) << keys.error().what();
    auto pair = IkeBenchPair::create(*keys, false);
    ASSERT_TRUE(pair.has_value()) << pair.error().what();
    for (int i = 0; i < 3; ++i) {
        auto ok = (*pair)->establish_and_delete(bench_wall_now());
        ASSERT_TRUE(ok.has_value()) << ok.error().what();
    }
    EXPECT_EQ((*pair)->established(), 3u);
    // Per SA: IKE_SA_INIT, IKE_AUTH and INFORMATIONAL, each a request and a response; one
    // signature and one verification per side.
    EXPECT_EQ((*pair)->datagrams(), 18u);
    EXPECT_EQ((*pair)->sign_requests(), 6u);
    EXPECT_EQ((*pair)->verify_requests(), 6u);
}

TEST_P(BenchIkeSuites, PairEstablishesWithPreSharedKeysWithoutRequests) {
    auto keys = IkeBenchKeys::create(GetParam());
    ASSERT_TRUE(keys.has_value());
    auto pair = IkeBenchPair::create(*keys, true);
    ASSERT_TRUE(pair.has_value());
    ASSERT_TRUE((*pair)->establish_and_delete(bench_wall_now()).has_value());
    EXPECT_EQ((*pair)->established(), 1u);
    EXPECT_EQ((*pair)->sign_requests() + (*pair)->verify_requests(), 0u);
}

TEST_P(BenchIkeSuites, FloorAndEndpointsRunBriefly) {
    auto keys = IkeBenchKeys::create(GetParam());
    ASSERT_TRUE(keys.has_value());
    for (bool psk : {false, true}) {
        auto floor = measure_ike_floor(*keys, psk, std::chrono::milliseconds{20});
        ASSERT_TRUE(floor.has_value()) << floor.error().what();
        EXPECT_GE(floor->sas, 1u);
        auto endpoints = measure_ike_endpoints(*keys, psk, std::chrono::milliseconds{1},
                                               std::chrono::milliseconds{20});
        ASSERT_TRUE(endpoints.has_value()) << endpoints.error().what();
        EXPECT_GE(endpoints->sas, 1u);
    }
}

INSTANTIATE_TEST_SUITE_P(Bench, BenchIkeSuites,
                         ::testing::Values(IkeSuite::p256, IkeSuite::rsa2048));

TEST(BenchIke, PrintedLines) {
    BenchIkeOptions options;
    options.suites = {IkeSuite::p256};
    options.psk = true;
    BenchIkeResult sig;
    sig.endpoints = IkeRate{100, 1.0, 1.0};
    sig.floor = IkeRate{400, 1.0, 0.4};
    BenchIkeResult psk = sig;
    psk.psk = true;
    psk.endpoints = IkeRate{600, 1.0, 1.0};
    psk.floor = IkeRate{1000, 1.0, 1.0};
    auto text = format_bench_ike({sig, psk}, options);
    EXPECT_NE(text.find("p256        AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256"), std::string::npos)
        << text;
    EXPECT_NE(text.find("p256        IKE_SA/s  endpoints      100  floor      400  ratio 0.25"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("p256        per CPU-second  endpoints      100  floor     1000  ratio "
                        "0.10  target 0.50 MISSED"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("p256-psk    per CPU-second  endpoints      600  floor     1000  ratio "
                        "0.60  target 0.50 met"),
              std::string::npos)
        << text;
}

TEST(BenchIke, PrintedNssdLines) {
    BenchIkeOptions options;
    options.suites = {IkeSuite::rsa2048};
    options.nssd = IkeNssdOptions{2, 64, 1};
    BenchIkeResult r;
    r.suite = IkeSuite::rsa2048;
    r.endpoints = IkeRate{100, 1.0, 1.0};
    r.floor = IkeRate{200, 1.0, 1.0};
    r.nssd = IkeRate{150, 1.0, 2.0};
    auto text = format_bench_ike({r}, options);
    EXPECT_NE(text.find("bench ike --nssd: signatures by an NSSD over loopback TLS, 64 SAs in "
                        "flight, 2 NSS connections per side, 1 NSSD workers"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("rsa2048     IKE_SA/s  nssd           150  floor      200  ratio 0.75"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("rsa2048     per CPU-second of the process  nssd       75  floor      200"
                        "  ratio 0.38  target 0.35 met"),
              std::string::npos)
        << text;
}

// The delegated mode: NSSD on its own thread signs and verifies for both endpoints over
// loopback TLS; several SAs are in flight and each one counted went through IKE_AUTH.
class BenchIkeNssd : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        auto w = SignBenchWorld::create(2, bench_wall_now());
        ASSERT_TRUE(w.has_value()) << w.error().what();
        world_ = std::move(*w);
    }
    static void TearDownTestSuite() { world_.reset(); }

    static Result<IkeBenchKeys> certified_keys(std::string const& suffix) {
        auto keys = IkeBenchKeys::create(IkeSuite::p256);
        if (!keys)
            return keys.error();
        keys->initiator_label = "BENCH IKE I " + suffix;
        keys->responder_label = "BENCH IKE R " + suffix;
        auto ci = world_->add_certificate(keys->initiator_label, "initiator.bench",
                                          keys->initiator_key, bench_wall_now());
        if (!ci)
            return ci.error();
        auto cr = world_->add_certificate(keys->responder_label, "responder.bench",
                                          keys->responder_key, bench_wall_now());
        if (!cr)
            return cr.error();
        keys->initiator_certificate = *ci;
        keys->responder_certificate = *cr;
        return keys;
    }

    static inline std::unique_ptr<SignBenchWorld> world_;
};

TEST_F(BenchIkeNssd, EstablishesConcurrentSasThroughNssd) {
    auto keys = certified_keys("OK");
    ASSERT_TRUE(keys.has_value()) << keys.error().what();
    auto rate = measure_ike_nssd(*keys, *world_, IkeNssdOptions{1, 8, 1},
                                 std::chrono::milliseconds{20}, std::chrono::milliseconds{300});
    ASSERT_TRUE(rate.has_value()) << rate.error().what();
    EXPECT_GE(rate->sas, 1u);
    EXPECT_GT(rate->cpu_seconds, 0);
    EXPECT_GT(rate->server_network_cpu_seconds, 0);
}

TEST_F(BenchIkeNssd, RefusesMoreSasInFlightThanTheConnectionsCanQueue) {
    auto keys = IkeBenchKeys::create(IkeSuite::p256);
    ASSERT_TRUE(keys.has_value());
    auto rate = measure_ike_nssd(*keys, *world_, IkeNssdOptions{1, 65, 1},
                                 std::chrono::milliseconds{10}, std::chrono::milliseconds{100});
    ASSERT_FALSE(rate.has_value());
    EXPECT_EQ(rate.error().code, Errc::invalid_argument);
    EXPECT_NE(rate.error().what().find("need at least 2 NSS connections per side"),
              std::string::npos)
        << rate.error().what();
}

TEST_F(BenchIkeNssd, FailsWithTheServersReasonWhenTheLabelIsNotOnTheRing) {
    auto keys = IkeBenchKeys::create(IkeSuite::p256);
    ASSERT_TRUE(keys.has_value());
    keys->initiator_label = "NOT ON THE RING";
    auto rate = measure_ike_nssd(*keys, *world_, IkeNssdOptions{1, 2, 1},
                                 std::chrono::milliseconds{10}, std::chrono::milliseconds{100});
    ASSERT_FALSE(rate.has_value());
    EXPECT_NE(rate.error().what().find("unknown_label"), std::string::npos) << rate.error().what();
}

TEST_F(BenchIkeNssd, FailsWhenTheServerCannotVerifyThePeersSignature) {
    // The initiator's configuration names a self-signed certificate of another key as the
    // responder's: NSSD answers the initiator's verify request verify_failed.
    auto keys = certified_keys("SELF");
    ASSERT_TRUE(keys.has_value()) << keys.error().what();
    auto self_signed = IkeBenchKeys::create(IkeSuite::p256);
    ASSERT_TRUE(self_signed.has_value());
    keys->responder_certificate = self_signed->responder_certificate;
    auto rate = measure_ike_nssd(*keys, *world_, IkeNssdOptions{1, 2, 1},
                                 std::chrono::milliseconds{10}, std::chrono::milliseconds{100});
    ASSERT_FALSE(rate.has_value());
    EXPECT_NE(rate.error().what().find("verify_failed"), std::string::npos) << rate.error().what();
}

}  // namespace
}  // namespace nsslab::bench
