// Fuzzes the IKEv2 codec (docs/ike-wire.md): any input must decode or fail with a message naming
// a byte offset, never crash, leak or read out of bounds. Anything that decodes must survive a
// round trip: encode(m) has the input's size (the decoder keeps every length-bearing field, which
// protected_parts() relies on), decode(encode(m)) == m, and re-encoding is canonical.
// The input is tried three ways: as an IKE message; as a UDP payload on the NAT-T port (non-ESP
// marker, keepalive); and as a decrypted inner chain whose first octet names the first payload.
#include <cstddef>
#include <cstdint>
#include <string>

#include "nsslab/wire_ike/codec.hpp"

namespace {

using nsslab::Bytes;
using nsslab::ByteView;
using nsslab::Error;
namespace wire = nsslab::wire_ike;

void check_error(Error const& error) {
    NSSLAB_ASSERT(error.message.find("offset ") != std::string::npos,
                  "every decode error names a byte offset");
}

void check_message(ByteView input) {
    auto decoded = wire::decode(input);
    if (!decoded) {
        check_error(decoded.error());
        return;
    }
    NSSLAB_ASSERT(!wire::unsupported_critical_payload(input) && !wire::invalid_major_version(input),
                  "a message that decodes has no unknown critical payload and major version 2");
    Bytes const encoded = wire::encode(*decoded);
    NSSLAB_ASSERT(encoded.size() == input.size(), "re-encoding keeps the message's size");
    auto again = wire::decode(encoded);
    NSSLAB_ASSERT(again.has_value(), "a decoded message must re-encode to a decodable one");
    NSSLAB_ASSERT(*again == *decoded, "decode(encode(m)) must equal m");
    NSSLAB_ASSERT(wire::encode(*again) == encoded, "encoding must be canonical");

    auto parts = wire::protected_parts(input, *decoded);
    if (!parts)
        return;
    NSSLAB_ASSERT(parts->prefix.size() + parts->body.size() == input.size(),
                  "prefix and body cover the message");
    if (decoded->payloads.size() != 1)
        return;
    // A lone SK/SKF: the framing helpers give the re-encoded message's prefix.
    auto const encoded_parts = wire::protected_parts(encoded, *decoded);
    Bytes const prefix(encoded_parts->prefix.begin(), encoded_parts->prefix.end());
    if (auto const* sk = std::get_if<wire::Encrypted>(&decoded->payloads[0])) {
        NSSLAB_ASSERT(
            prefix == wire::encode_sk_prefix(decoded->header, sk->first_inner, sk->body.size()),
            "encode_sk_prefix matches encode");
    } else {
        auto const& f = std::get<wire::EncryptedFragment>(decoded->payloads[0]);
        NSSLAB_ASSERT(prefix == wire::encode_skf_prefix(decoded->header, f.first_inner, f.number,
                                                        f.total, f.body.size()),
                      "encode_skf_prefix matches encode");
    }
}

void check_chain(wire::PayloadType first, ByteView plaintext) {
    auto decoded = wire::decode_payload_chain(first, plaintext, 48);
    if (!decoded) {
        check_error(decoded.error());
        return;
    }
    NSSLAB_ASSERT(decoded->size() <= wire::max_payloads, "chains are bounded");
    Bytes const encoded = wire::encode_payload_chain(*decoded);
    NSSLAB_ASSERT(encoded.size() == plaintext.size(), "re-encoding keeps the chain's size");
    wire::PayloadType const again_first =
        decoded->empty() ? wire::PayloadType::none : wire::payload_type(decoded->front());
    auto again = wire::decode_payload_chain(again_first, encoded, 48);
    NSSLAB_ASSERT(again.has_value() && *again == *decoded, "chain round trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    ByteView const input(data, size);
    check_message(input);
    if (!wire::is_nat_keepalive(input)) {
        if (auto message = wire::strip_non_esp_marker(input))
            check_message(*message);
    }
    if (size > 0)
        check_chain(static_cast<wire::PayloadType>(data[0]), input.subspan(1));
    return 0;
}
