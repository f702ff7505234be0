// Deterministic random source with named sub-streams (DESIGN.md §3, §4).
//
// One run seed gives every node and component its own stream, derived from the seed and a
// name such as "SYSTEMA/tcp" or "link/A->B". Adding a stream never perturbs another, so a
// scenario edit that adds a node does not change the draws of unrelated nodes.
// Generator: xoshiro256** seeded through SplitMix64 (not for cryptographic keys on real
// systems; the simulator's OpenSSL uses it only to make runs reproducible).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace nsslab {

class Rng {
  public:
    explicit Rng(std::uint64_t seed);
    // Independent stream for `name`, derived from a run seed.
    static Rng stream(std::uint64_t seed, std::string_view name);
    // Independent child stream of this one (does not advance this stream).
    Rng derive(std::string_view name) const;

    std::uint64_t next_u64();
    // Uniform integer in [0, bound), bound > 0, without modulo bias.
    std::uint64_t below(std::uint64_t bound);
    // Uniform double in [0, 1).
    double unit();
    bool chance(double probability) { return probability > 0 && unit() < probability; }
    void fill(std::span<std::uint8_t> out);

  private:
    std::array<std::uint64_t, 4> s_{};
    std::uint64_t origin_{0};  // seed material this stream was built from, for derive()
};

// 64-bit FNV-1a, used to turn stream names into seed material.
std::uint64_t fnv1a64(std::string_view text, std::uint64_t basis = 0xcbf29ce484222325ULL);

}  // namespace nsslab
