// The fuzz seed corpus (fuzz/nss_frame/corpus/<name>.bin) is the encoding of the sample
// messages. Regenerate it with NSSLAB_WRITE_NSS_CORPUS=1 wire_nss_test
// --gtest_filter='NssCorpus.*'.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "nsslab/wire_nss/codec.hpp"
#include "wire_nss_samples.hpp"

namespace nsslab::wire_nss {
namespace {

std::string corpus_path(char const* name) {
    return std::string(NSSLAB_SOURCE_DIR) + "/fuzz/nss_frame/corpus/" + name + ".bin";
}

TEST(NssCorpus, SeedFilesAreTheEncodedSamples) {
    bool const write = std::getenv("NSSLAB_WRITE_NSS_CORPUS") != nullptr;
    for (auto const& sample : test::named_samples()) {
        Bytes const frame = encode(sample.message);
        std::string const path = corpus_path(sample.name);
        if (write) {
            std::ofstream out(path, std::ios::binary | std::ios::trunc);
            out.write(reinterpret_cast<char const*>(frame.data()),
                      static_cast<std::streamsize>(frame.size()));
            ASSERT_TRUE(out.good()) << path;
        }
        std::ifstream in(path, std::ios::binary);
        ASSERT_TRUE(in.good()) << "missing seed " << path;
        Bytes const stored((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        EXPECT_EQ(to_hex(stored), to_hex(frame)) << path;
        auto decoded = decode(stored);
        ASSERT_TRUE(decoded) << decoded.error().what();
        EXPECT_EQ(*decoded, sample.message);
    }
}

}  // namespace
}  // namespace nsslab::wire_nss
