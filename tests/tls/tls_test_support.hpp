// Test PKI (tests/tls/data, see README.md there) and the "pair" driver that shuttles bytes
// between two tls::Channel objects by hand (DESIGN.md §2, third driver).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "nsslab/base/time.hpp"
#include "nsslab/tls/channel.hpp"

namespace nsslab::tls::test {

inline std::string data_file(std::string const& name) {
    std::ifstream in(std::string(NSSLAB_SOURCE_DIR) + "/tests/tls/data/" + name, std::ios::binary);
    EXPECT_TRUE(in.good()) << name;
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

inline TimePoint at(std::string const& iso) {
    TimePoint t{};
    EXPECT_TRUE(parse_iso8601(iso, t)) << iso;
    return t;
}

// 2026-06-01: inside server.pem's validity (2025..2030), after expired.pem's (2020..2021).
inline TimePoint default_time() {
    return at("2026-06-01T00:00:00Z");
}

inline ServerConfig server_config(std::string const& name = "server") {
    ServerConfig c;
    c.certificate_chain_pem = data_file(name + ".pem");
    c.private_key_pem = data_file(name + ".key");
    return c;
}

inline ClientConfig client_config() {
    ClientConfig c;
    c.trust_anchors_pem = data_file("ca.pem");
    c.verification_time = default_time();
    c.server_address = IpAddress::parse("9.1.1.1").value();
    return c;
}

// The key log lines a channel has for the run's key log (drains poll_secret()).
inline std::vector<std::string> keylog_lines(Channel& channel) {
    std::vector<std::string> lines;
    while (auto s = channel.poll_secret())
        lines.push_back(std::move(s->line));
    return lines;
}

struct Transcript {
    Bytes client_to_server;
    Bytes server_to_client;
};

inline void deliver(Channel& to, Bytes const& bytes, std::size_t chunk) {
    if (chunk == 0)
        chunk = bytes.size();
    for (std::size_t i = 0; i < bytes.size(); i += chunk)
        to.handle_received(ByteView(bytes).subspan(i, std::min(chunk, bytes.size() - i)),
                           TimePoint{});
}

// Moves ciphertext both ways until neither side has anything to send. `chunk` > 0 delivers
// that many bytes per handle_ciphertext call.
inline void pump(Channel& client, Channel& server, std::size_t chunk = 0,
                 Transcript* transcript = nullptr) {
    for (int round = 0; round < 1000; ++round) {
        Bytes const c2s = client.poll_transmit().value_or(Bytes{});
        Bytes const s2c = server.poll_transmit().value_or(Bytes{});
        if (c2s.empty() && s2c.empty())
            return;
        if (transcript != nullptr) {
            transcript->client_to_server.insert(transcript->client_to_server.end(), c2s.begin(),
                                                c2s.end());
            transcript->server_to_client.insert(transcript->server_to_client.end(), s2c.begin(),
                                                s2c.end());
        }
        deliver(server, c2s, chunk);
        deliver(client, s2c, chunk);
    }
    ADD_FAILURE() << "pump: the channels did not go quiet";
}

}  // namespace nsslab::tls::test
