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

}  // namespace
}  // namespace nsslab::bench
