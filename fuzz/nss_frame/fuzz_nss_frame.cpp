// Fuzzes the NSS protocol codec (docs/nss-protocol.md): any input must decode or fail with a
// message, never crash, leak or read out of bounds. Anything that decodes must survive a
// round trip (decode(encode(m)) == m, and re-encoding is canonical). The same bytes are also
// fed to a FrameReader in chunks whose sizes come from the input; every frame it yields must
// round-trip too, and the reader must stay within its bounds.
#include <cstddef>
#include <cstdint>
#include <string>

#include "nsslab/wire_nss/codec.hpp"

namespace {

using nsslab::Bytes;
using nsslab::ByteView;
namespace wire = nsslab::wire_nss;

void check_round_trip(wire::Message const& message) {
    Bytes const encoded = wire::encode(message);
    auto again = wire::decode(encoded);
    NSSLAB_ASSERT(again.has_value(), "a decoded message must re-encode to a decodable frame");
    NSSLAB_ASSERT(*again == message, "decode(encode(m)) must equal m");
    NSSLAB_ASSERT(wire::encode(*again) == encoded, "encoding must be canonical");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    ByteView const input(data, size);

    // 1. The whole input as one frame, with the default and with a small body limit.
    for (std::size_t max_body : {wire::default_max_body, std::size_t{64}}) {
        auto decoded = wire::decode(input, max_body);
        if (decoded) {
            check_round_trip(*decoded);
        } else {
            NSSLAB_ASSERT(decoded.error().message.find("offset") != std::string::npos,
                          "every decode error names a byte offset");
        }
    }

    // 2. The input as a stream, fed in chunks of 1..16 octets chosen by the input's first octet.
    std::size_t const chunk = size == 0 ? 1 : 1 + (data[0] % 16);
    wire::FrameReader reader(4096);
    std::size_t frames = 0;
    for (std::size_t pos = 0; pos < size && !reader.poisoned(); pos += chunk) {
        std::size_t const n = size - pos < chunk ? size - pos : chunk;
        auto fed = reader.feed(input.subspan(pos, n));
        if (!fed) {
            NSSLAB_ASSERT(reader.poisoned(), "a feed error on small chunks must poison the reader");
            break;
        }
        while (auto next = reader.next()) {
            ++frames;
            if (*next)
                check_round_trip(**next);
        }
        NSSLAB_ASSERT(reader.buffered() <= wire::header_size + 4096,
                      "the reader buffers at most one incomplete frame");
    }
    NSSLAB_ASSERT(frames <= size / wire::header_size, "every frame has at least a header");
    return 0;
}
