// The fuzz seed corpus (fuzz/wire_ike/corpus) is derived from third_party/ike-samples: each
// captured datagram without its non-ESP marker, and the decrypted IKE_AUTH chain behind one octet
// naming its first payload (fuzz_wire_ike.cpp's third input form). Every seed decodes.
#include <gtest/gtest.h>

#include <string>

#include "nsslab/wire_ike/codec.hpp"
#include "wire_ike_samples.hpp"

namespace nsslab::wire_ike {
namespace {

Bytes read_seed(std::string const& name) {
    std::ifstream in(std::string(NSSLAB_SOURCE_DIR) + "/fuzz/wire_ike/corpus/" + name,
                     std::ios::binary);
    EXPECT_TRUE(in.good()) << "missing seed " << name;
    return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(IkeCorpus, SeedsAreTheSampleMessages) {
    for (auto name : test::sample_names) {
        SCOPED_TRACE(std::string(name));
        Bytes const seed = read_seed(std::string(name));
        EXPECT_EQ(to_hex(seed), to_hex(test::sample_message(name)));
        EXPECT_TRUE(decode(seed));
    }
}

TEST(IkeCorpus, InnerChainSeed) {
    Bytes const seed = read_seed("rfc7427-f03-ike_auth_request-inner.bin");
    Bytes expected{static_cast<std::uint8_t>(PayloadType::idi)};
    Bytes const plaintext = test::read_sample("rfc7427-f03-ike_auth_request.plaintext.bin");
    expected.insert(expected.end(), plaintext.begin(), plaintext.end());
    EXPECT_EQ(to_hex(seed), to_hex(expected));
    EXPECT_TRUE(decode_payload_chain(PayloadType::idi, ByteView(seed).subspan(1)));
}

}  // namespace
}  // namespace nsslab::wire_ike
