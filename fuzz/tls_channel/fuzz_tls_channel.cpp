// libFuzzer target for sim/tls: arbitrary bytes from the network into a server or a client
// Channel, and arbitrary text into the certificate/identity parsers (DESIGN.md §2, §6).
// Input: byte 0 selects the mode (low 2 bits) and the delivery chunk size (high 6 bits + 1);
// the rest is the payload. Every input gets fresh deterministic contexts, so a crash reproduces.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

#include "nsslab/crypto/openssl_context.hpp"
#include "nsslab/tls/channel.hpp"
#include "nsslab/tls/identity.hpp"

namespace {

using namespace nsslab;

std::string data_file(char const* name) {
    std::ifstream in(std::string(NSSLAB_SOURCE_DIR) + "/tests/tls/data/" + name, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

void feed(tls::Channel& ch, ByteView bytes, std::size_t chunk) {
    for (std::size_t i = 0; i < bytes.size() && ch.state() != tls::Channel::State::failed;
         i += chunk) {
        ch.handle_received(bytes.subspan(i, std::min(chunk, bytes.size() - i)), TimePoint{});
        while (ch.poll_transmit() || ch.poll_received() || ch.poll_secret() || ch.poll_event()) {
        }
    }
    (void)ch.send(as_bytes("reply"));
    ch.close();
    (void)ch.poll_transmit();
    ch.handle_closed(TimePoint{});
    while (ch.poll_event()) {  // each state change is reported once: at most a few
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    static std::string const server_pem = data_file("server.pem");
    static std::string const server_key = data_file("server.key");
    static std::string const ca_pem = data_file("ca.pem");
    if (size == 0)
        return 0;
    std::uint8_t const mode = data[0] & 3;
    std::size_t const chunk = static_cast<std::size_t>(data[0] >> 2) + 1;
    ByteView const payload(data + 1, size - 1);

    if (mode == 0 || mode == 1) {
        auto ctx = crypto::LibContext::deterministic(1, mode == 0 ? "fuzz-server" : "fuzz-client");
        if (!ctx)
            __builtin_trap();
        if (mode == 0) {
            tls::ServerConfig config;
            config.certificate_chain_pem = server_pem;
            config.private_key_pem = server_key;
            auto server = tls::Channel::server(**ctx, config);
            if (!server)
                __builtin_trap();
            feed(*server, payload, chunk);
        } else {
            tls::ClientConfig config;
            config.trust_anchors_pem = ca_pem;
            config.verification_time = time_from_unix_seconds(1780272000);  // 2026-06-01
            config.server_address = IpAddress::v4(0x09010101);
            auto client = tls::Channel::client(**ctx, config);
            if (!client)
                __builtin_trap();
            (void)client->poll_transmit();
            feed(*client, payload, chunk);
        }
        return 0;
    }
    std::string_view const text = as_chars(payload);
    (void)tls::parse_identity_type(text);
    if (auto cert = tls::describe_certificate_pem(text)) {
        (void)tls::check_server_identity(*cert, std::nullopt, IpAddress{});
    }
    tls::CertificateInfo info;
    info.subject = "CN=nssd.example.com,O=nsslab,C=US";
    for (auto type : {tls::IdentityType::ip_addr, tls::IdentityType::fqdn,
                      tls::IdentityType::user_at_fqdn, tls::IdentityType::x500dn})
        (void)tls::check_server_identity(info, tls::ServerIdentity{type, std::string(text)},
                                         IpAddress{});
    return 0;
}
