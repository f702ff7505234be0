// PRF and prf+ on top of hmac.hpp.
#include "nsslab/crypto/prf.hpp"

#include "nsslab/crypto/hmac.hpp"

namespace nsslab::crypto {

namespace {

HmacHash hash_of(PrfAlgorithm prf) {
    switch (prf) {
        case PrfAlgorithm::hmac_sha2_256:
            return HmacHash::sha256;
        case PrfAlgorithm::hmac_sha2_384:
            return HmacHash::sha384;
        case PrfAlgorithm::hmac_sha2_512:
            return HmacHash::sha512;
    }
    NSSLAB_ASSERT(false, "unknown PrfAlgorithm");
    return HmacHash::sha256;
}

}  // namespace

std::string_view to_string(PrfAlgorithm prf) {
    switch (prf) {
        case PrfAlgorithm::hmac_sha2_256:
            return "PRF_HMAC_SHA2_256";
        case PrfAlgorithm::hmac_sha2_384:
            return "PRF_HMAC_SHA2_384";
        case PrfAlgorithm::hmac_sha2_512:
            return "PRF_HMAC_SHA2_512";
    }
    return "unknown";
}

std::optional<PrfAlgorithm> prf_from_number(std::uint16_t number) {
    if (number >= 5 && number <= 7)
        return static_cast<PrfAlgorithm>(number);
    return std::nullopt;
}

std::size_t prf_output_size(PrfAlgorithm prf) {
    return hmac_size(hash_of(prf));
}

Result<Bytes> prf(PrfAlgorithm prf, ByteView key, ByteView data) {
    return hmac(hash_of(prf), key, data);
}

Result<Bytes> prf_plus(PrfAlgorithm prf, ByteView key, ByteView seed, std::size_t length) {
    std::size_t const block = prf_output_size(prf);
    if (length > 255 * block)
        return fail(Errc::invalid_argument,
                    "prf+: " + std::to_string(length) + " octets requested, at most " +
                        std::to_string(255 * block) + " with " + std::string(to_string(prf)));
    Bytes out;
    out.reserve(length + block);
    Bytes previous;  // Tn-1, empty for n = 1
    Bytes input;     // Tn-1 | S | n
    for (unsigned n = 1; out.size() < length; ++n) {
        input.assign(previous.begin(), previous.end());
        input.insert(input.end(), seed.begin(), seed.end());
        input.push_back(static_cast<std::uint8_t>(n));
        auto t = crypto::prf(prf, key, input);
        if (!t)
            return t.error();
        out.insert(out.end(), t->begin(), t->end());
        previous = std::move(*t);
    }
    out.resize(length);
    return out;
}

}  // namespace nsslab::crypto
