#include "nsslab/base/rng.hpp"

#include <cstring>

namespace nsslab {
namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

}  // namespace

std::uint64_t fnv1a64(std::string_view text, std::uint64_t basis) {
    std::uint64_t h = basis;
    for (char c : text) {
        h ^= static_cast<std::uint8_t>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

Rng::Rng(std::uint64_t seed) : origin_(seed) {
    std::uint64_t x = seed;
    for (auto& word : s_)
        word = splitmix64(x);
}

Rng Rng::stream(std::uint64_t seed, std::string_view name) {
    std::uint64_t x = seed;
    std::uint64_t mixed = splitmix64(x) ^ fnv1a64(name);
    return Rng(mixed);
}

Rng Rng::derive(std::string_view name) const {
    return stream(origin_, name);
}

std::uint64_t Rng::next_u64() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

std::uint64_t Rng::below(std::uint64_t bound) {
    if (bound <= 1)
        return 0;
    const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % bound);
    std::uint64_t v;
    do {
        v = next_u64();
    } while (v >= limit);
    return v % bound;
}

double Rng::unit() {
    return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

void Rng::fill(std::span<std::uint8_t> out) {
    std::size_t i = 0;
    while (i < out.size()) {
        std::uint64_t v = next_u64();
        std::size_t n = out.size() - i < 8 ? out.size() - i : 8;
        std::memcpy(out.data() + i, &v, n);
        i += n;
    }
}

}  // namespace nsslab
