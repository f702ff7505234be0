// Every catalogue capture decrypts (issue 10 §4): each scenario is run once with its files
// written, then tshark reads capture.pcapng twice — with nothing but the capture (its
// Decryption Secrets Blocks) and with the tls-keys.log written beside it — and every TLS record
// on the NSS port must decrypt, and what each direction of each connection carried must decode
// as NSS frames (docs/nss-protocol.md §2: magic "NS"); the server's Certificate, which TLS 1.3
// encrypts, must show. Scenarios without NSS traffic (the harness self-tests) must still write a
// capture tshark reads. IKEv2 (issue 11 §6): with the ikev2_decryption_table written beside the
// capture, every encrypted IKE message must decrypt into payloads, and where the suite has an
// integrity algorithm tshark must find its checksum correct.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <utility>

#include "catalogue.hpp"
#include "nsslab/harness/runner.hpp"
#include "nsslab/harness/scenario.hpp"
#include "nsslab/wire_nss/codec.hpp"
#include "support/tshark.hpp"

namespace nsslab::harness {
namespace {

// Decodes what each direction of each TCP connection carried; returns the messages decoded, or
// a failure naming the first frame that is not NSS.
::testing::AssertionResult nss_frames(std::vector<test::TlsRecord> const& records,
                                      std::size_t& messages) {
    std::map<std::pair<std::size_t, std::string>, wire_nss::FrameReader> readers;
    messages = 0;
    for (auto const& r : records) {
        auto& reader = readers[{r.tcp_stream, r.source}];
        if (auto fed = reader.feed(as_bytes(r.data)); !fed)
            return ::testing::AssertionFailure()
                   << "frame " << r.frame << " from " << r.source << ": " << fed.error().what();
        while (auto m = reader.next()) {
            if (!*m)
                return ::testing::AssertionFailure()
                       << "frame " << r.frame << " from " << r.source << ": " << m->error().what();
            ++messages;
        }
    }
    return ::testing::AssertionSuccess();
}

// tshark's options giving it the IKE SA keys of a run (the UAT's lines, as files).
std::vector<std::string> ike_decrypt_options(std::filesystem::path const& table) {
    std::vector<std::string> opts;
    std::ifstream in(table);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) {
            opts.emplace_back("-o");
            opts.push_back("uat:ikev2_decryption_table:" + line);
        }
    return opts;
}

// Every encrypted IKE message decrypts with the run's ikev2_decryption_table; HMAC checksums
// are correct.
void expect_ike_decrypts(ScenarioResult const& run) {
    std::size_t const encrypted = test::count_matching(run.capture_path, "isakmp.enc.data");
    ASSERT_NE(encrypted, SIZE_MAX);
    if (encrypted == 0)
        return;
    SCOPED_TRACE("IKEv2 with " + run.ike_keys_path.string());
    auto const opts = ike_decrypt_options(run.ike_keys_path);
    ASSERT_FALSE(opts.empty()) << "encrypted IKE messages but no decryption table";
    EXPECT_EQ(test::count_matching(run.capture_path, "isakmp.enc.decrypted", opts), encrypted)
        << "IKE messages left encrypted";
    // What decrypts must parse: every IKE_AUTH request shows its AUTH payload (wrong keys
    // give garbage that does not).
    std::size_t const auth_requests =
        test::count_matching(run.capture_path, "isakmp.exchangetype == 35 && isakmp.flag_r == 0");
    EXPECT_EQ(test::count_matching(
                  run.capture_path,
                  "isakmp.exchangetype == 35 && isakmp.flag_r == 0 && isakmp.auth.method", opts),
              auth_requests);
    auto verbose = opts;
    verbose.insert(verbose.end(), {"-V", "-r", run.capture_path.string(), "-Y", "isakmp.enc.icd"});
    auto const result = test::run_tshark(verbose);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.out.find("[incorrect]"), std::string::npos) << "an IKE ICV is incorrect";
}

class CaptureDecrypt : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(CaptureDecrypt, NssTrafficDecryptsWithTheFilesBesideIt) {
    ASSERT_TRUE(test::tshark_available());
    auto scenario = load_scenario(GetParam());
    ASSERT_TRUE(scenario) << scenario.error().what();
    RunOptions options;
    options.out_dir = std::filesystem::path(NSSLAB_BINARY_DIR) / "capture-decrypt" /
                      scenario_test_name(GetParam());
    std::filesystem::remove_all(options.out_dir);
    auto run = run_scenario(*scenario, options);
    ASSERT_TRUE(run) << run.error().what();
    ASSERT_TRUE(run->passed) << run->describe();
    ASSERT_TRUE(std::filesystem::exists(run->capture_path));

    expect_ike_decrypts(*run);
    std::size_t const encrypted =
        test::count_matching(run->capture_path, "tls.app_data", {"-d", "tcp.port==4159,tls"});
    ASSERT_NE(encrypted, SIZE_MAX);
    if (scenario->name.rfind("ike-", 0) == 0 && encrypted == 0)
        return;  // an IKE scenario without NSS traffic (pre-shared keys only)
    if (scenario->name.rfind("selftest-", 0) == 0) {
        EXPECT_EQ(encrypted, 0u);  // no NSS traffic: the capture is read, nothing to decrypt
        return;
    }

    for (bool with_key_log : {false, true}) {
        SCOPED_TRACE(with_key_log ? "with tls-keys.log" : "with the capture's DSBs only");
        test::TlsDecodeOptions decode;
        if (with_key_log) {
            ASSERT_GT(std::filesystem::file_size(run->keylog_path), 0u);
            decode.keylog_file = run->keylog_path;
        }
        // TLS 1.3 encrypts the server's Certificate: it shows only when the handshake decrypts
        // (also in scenarios whose handshakes all fail, with no application data at all).
        EXPECT_GT(test::count_matching(run->capture_path, "tls.handshake.type == 11",
                                       test::tls_decode_options(decode)),
                  0u);
        if (encrypted == 0)
            continue;
        std::vector<test::TlsRecord> records;
        std::string error;
        ASSERT_TRUE(test::decrypted_tls_records(run->capture_path, decode, records, error))
            << error;
        std::size_t const undecrypted = test::count_matching(
            run->capture_path, "tls.app_data && !data.data", test::tls_decode_options(decode));
        EXPECT_EQ(undecrypted, 0u) << "TLS records left encrypted";
        EXPECT_FALSE(records.empty());
        std::size_t messages = 0;
        EXPECT_TRUE(nss_frames(records, messages));
        EXPECT_GT(messages, 0u);
    }
}

INSTANTIATE_TEST_SUITE_P(Scenarios, CaptureDecrypt, ::testing::ValuesIn(catalogue()), test_name);

}  // namespace
}  // namespace nsslab::harness
