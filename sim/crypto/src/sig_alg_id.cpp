// RFC 7427 AlgorithmIdentifiers: a fixed table for sending, a small bounded DER reader for
// receiving (single-octet tags, definite lengths of at most two octets).
#include "nsslab/crypto/sig_alg_id.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace nsslab::crypto {

namespace {

// --- the DER forms sent (RFC 7427 Appendix A, errata form for PSS; RFC 8420 for Ed25519) ---

constexpr std::uint8_t sha256_rsa[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                       0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00};
constexpr std::uint8_t sha384_rsa[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                       0xf7, 0x0d, 0x01, 0x01, 0x0c, 0x05, 0x00};
constexpr std::uint8_t sha512_rsa[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                       0xf7, 0x0d, 0x01, 0x01, 0x0d, 0x05, 0x00};
constexpr std::uint8_t ecdsa_sha256[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
                                         0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
constexpr std::uint8_t ecdsa_sha384[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
                                         0x48, 0xce, 0x3d, 0x04, 0x03, 0x03};
constexpr std::uint8_t ecdsa_sha512[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
                                         0x48, 0xce, 0x3d, 0x04, 0x03, 0x04};
constexpr std::uint8_t ed25519[] = {0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70};

// RSASSA-PSS: SEQUENCE { rsassaPss, SEQUENCE { [0] hash, [1] mgf1(hash), [2] salt } }; the
// hash OID's last octet (offsets 29 and 59) and the salt (offset 66) vary.
constexpr std::array<std::uint8_t, 67> pss(std::uint8_t hash_last, std::uint8_t salt) {
    std::array<std::uint8_t, 67> b = {
        0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30,
        0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
        0x02, 0x00, 0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
        0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
        0x03, 0x04, 0x02, 0x00, 0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x00};
    b[29] = hash_last;
    b[59] = hash_last;
    b[66] = salt;
    return b;
}
constexpr auto pss_sha256 = pss(0x01, 32);
constexpr auto pss_sha384 = pss(0x02, 48);
constexpr auto pss_sha512 = pss(0x03, 64);

// --- OIDs (content octets) ---

using Oid = ByteView;
constexpr std::uint8_t oid_rsa_sha1_b[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05};
constexpr std::uint8_t oid_rsa_sha256_b[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b};
constexpr std::uint8_t oid_rsa_sha384_b[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c};
constexpr std::uint8_t oid_rsa_sha512_b[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d};
constexpr std::uint8_t oid_pss_b[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a};
constexpr std::uint8_t oid_mgf1_b[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08};
constexpr std::uint8_t oid_ecdsa_sha1_b[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01};
constexpr std::uint8_t oid_ecdsa_sha256_b[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
constexpr std::uint8_t oid_ecdsa_sha384_b[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03};
constexpr std::uint8_t oid_ecdsa_sha512_b[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04};
constexpr std::uint8_t oid_dsa_sha1_b[] = {0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x03};
constexpr std::uint8_t oid_dsa_sha256_b[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x02};
constexpr std::uint8_t oid_ed25519_b[] = {0x2b, 0x65, 0x70};
constexpr std::uint8_t oid_ed448_b[] = {0x2b, 0x65, 0x71};
constexpr std::uint8_t oid_sha1_b[] = {0x2b, 0x0e, 0x03, 0x02, 0x1a};
constexpr std::uint8_t oid_sha256_b[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};
constexpr std::uint8_t oid_sha384_b[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02};
constexpr std::uint8_t oid_sha512_b[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03};

bool same(Oid a, Oid b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

// --- a bounded DER reader ---

constexpr std::uint8_t tag_integer = 0x02;
constexpr std::uint8_t tag_null = 0x05;
constexpr std::uint8_t tag_oid = 0x06;
constexpr std::uint8_t tag_sequence = 0x30;

struct Tlv {
    std::uint8_t tag;
    ByteView value;
    std::size_t offset;        // of the tag, from the start of the outermost input
    std::size_t value_offset;  // of the value, likewise
};

class DerReader {
  public:
    DerReader(ByteView in, std::size_t base) : in_(in), base_(base) {}
    bool empty() const { return pos_ == in_.size(); }
    std::size_t offset() const { return base_ + pos_; }

    Result<Tlv> next() {
        std::size_t const start = pos_;
        if (in_.size() - pos_ < 2)
            return fail(Errc::truncated, at(start) + "TLV header cut short");
        std::uint8_t const tag = in_[pos_++];
        if ((tag & 0x1f) == 0x1f)
            return fail(Errc::decode_error, at(start) + "multi-octet tag");
        std::size_t len = in_[pos_++];
        if (len == 0x80)
            return fail(Errc::decode_error, at(start) + "indefinite length");
        if (len > 0x80) {
            std::size_t const n = len & 0x7f;
            if (n > 2)
                return fail(Errc::decode_error, at(start) + "length of " + std::to_string(n) +
                                                    " octets exceeds the bound of 2");
            if (in_.size() - pos_ < n)
                return fail(Errc::truncated, at(start) + "length octets cut short");
            len = 0;
            for (std::size_t i = 0; i < n; ++i)
                len = len << 8 | in_[pos_++];
        }
        if (in_.size() - pos_ < len)
            return fail(Errc::truncated, at(start) + "value of " + std::to_string(len) +
                                             " octets runs past the end");
        Tlv tlv{tag, in_.subspan(pos_, len), base_ + start, base_ + pos_};
        pos_ += len;
        return tlv;
    }

    // The next TLV, which must carry `tag`.
    Result<Tlv> expect(std::uint8_t tag, std::string_view what) {
        std::size_t const start = pos_;
        auto tlv = next();
        if (!tlv)
            return tlv;
        if (tlv->tag != tag)
            return fail(Errc::decode_error, at(start) + std::string(what) + ": tag 0x" +
                                                to_hex(ByteView(&tlv->tag, 1)) + ", expected 0x" +
                                                to_hex(ByteView(&tag, 1)));
        return tlv;
    }

    std::string at(std::size_t pos) const {
        return "AlgorithmIdentifier at offset " + std::to_string(base_ + pos) + ": ";
    }

  private:
    ByteView in_;
    std::size_t base_;
    std::size_t pos_{0};
};

Error at(std::size_t offset, Errc code, std::string what) {
    return fail(code, "AlgorithmIdentifier at offset " + std::to_string(offset) + ": " + what);
}

// An AlgorithmIdentifier { OID, parameters absent or NULL } inside `tlv` (a SEQUENCE); used for
// the hash inside RSASSA-PSS parameters. Returns the OID.
Result<Oid> parse_hash_algorithm(Tlv const& seq) {
    DerReader r(seq.value, seq.value_offset);
    auto id = r.expect(tag_oid, "hash algorithm OID");
    if (!id)
        return id.error();
    if (!r.empty()) {
        auto params = r.expect(tag_null, "hash algorithm parameters");
        if (!params)
            return params.error();
        if (!params->value.empty() || !r.empty())
            return at(params->offset, Errc::decode_error, "unexpected hash parameters");
    }
    return id->value;
}

std::size_t hash_size(Oid hash) {
    if (same(hash, Oid(oid_sha256_b)))
        return 32;
    if (same(hash, Oid(oid_sha384_b)))
        return 48;
    if (same(hash, Oid(oid_sha512_b)))
        return 64;
    return 0;
}

Result<SignatureScheme> parse_pss_params(DerReader& outer, std::size_t oid_end_offset) {
    // RSASSA-PSS-params (RFC 8017 A.2.3) with the DEFAULTs SHA-1 / MGF1-SHA-1 / 20 / 1.
    if (outer.empty())
        return at(oid_end_offset, Errc::decode_error, "RSASSA-PSS without parameters");
    auto params = outer.expect(tag_sequence, "RSASSA-PSS-params");
    if (!params)
        return params.error();
    DerReader r(params->value, params->value_offset);
    Oid hash = Oid(oid_sha1_b);
    Oid mgf_hash = Oid(oid_sha1_b);
    std::uint64_t salt = 20;
    int last_field = -1;
    while (!r.empty()) {
        auto field = r.next();
        if (!field)
            return field.error();
        int const number = field->tag - 0xa0;
        if (number < 0 || number > 3 || number <= last_field)
            return at(field->offset, Errc::decode_error,
                      "unexpected RSASSA-PSS-params field with tag 0x" +
                          to_hex(ByteView(&field->tag, 1)));
        last_field = number;
        DerReader inner(field->value, field->value_offset);
        if (number == 0) {
            auto seq = inner.expect(tag_sequence, "hashAlgorithm");
            if (!seq)
                return seq.error();
            auto h = parse_hash_algorithm(*seq);
            if (!h)
                return h.error();
            hash = *h;
        } else if (number == 1) {
            auto seq = inner.expect(tag_sequence, "maskGenAlgorithm");
            if (!seq)
                return seq.error();
            DerReader mgf(seq->value, seq->value_offset);
            auto id = mgf.expect(tag_oid, "maskGenAlgorithm OID");
            if (!id)
                return id.error();
            if (!same(id->value, Oid(oid_mgf1_b)))
                return at(
                    id->offset, Errc::unsupported,
                    "RSASSA-PSS mask generation function " + to_hex(id->value) + " is not MGF1");
            auto hseq = mgf.expect(tag_sequence, "MGF1 hash");
            if (!hseq)
                return hseq.error();
            auto h = parse_hash_algorithm(*hseq);
            if (!h)
                return h.error();
            mgf_hash = *h;
            if (!mgf.empty())
                return at(mgf.offset(), Errc::decode_error, "trailing data in maskGenAlgorithm");
        } else {
            auto value = inner.expect(tag_integer, number == 2 ? "saltLength" : "trailerField");
            if (!value)
                return value.error();
            if (value->value.empty() || value->value.size() > 2 || (value->value[0] & 0x80))
                return at(value->offset, Errc::decode_error, "INTEGER out of range");
            std::uint64_t v = 0;
            for (auto b : value->value)
                v = v << 8 | b;
            if (number == 2)
                salt = v;
            else if (v != 1)
                return at(value->offset, Errc::unsupported,
                          "RSASSA-PSS trailerField " + std::to_string(v) + " (only 1 exists)");
        }
        if (!inner.empty())
            return at(inner.offset(), Errc::decode_error, "trailing data in RSASSA-PSS-params");
    }
    std::size_t const size = hash_size(hash);
    if (size == 0)
        return at(params->offset, Errc::unsupported,
                  same(hash, Oid(oid_sha1_b)) ? "RSASSA-PSS with SHA-1"
                                              : "RSASSA-PSS with hash " + to_hex(hash));
    if (!same(mgf_hash, hash))
        return at(params->offset, Errc::unsupported,
                  "RSASSA-PSS with an MGF1 hash different from the message hash");
    if (salt != size)
        return at(params->offset, Errc::unsupported,
                  "RSASSA-PSS salt length " + std::to_string(salt) +
                      " (nsslab uses the hash "
                      "length, " +
                      std::to_string(size) + ")");
    if (size == 32)
        return SignatureScheme::rsa_pss_sha256;
    if (size == 48)
        return SignatureScheme::rsa_pss_sha384;
    return SignatureScheme::rsa_pss_sha512;
}

}  // namespace

ByteView signature_algorithm_identifier(SignatureScheme scheme) {
    switch (scheme) {
        case SignatureScheme::rsa_pkcs1_sha256:
            return sha256_rsa;
        case SignatureScheme::rsa_pkcs1_sha384:
            return sha384_rsa;
        case SignatureScheme::rsa_pkcs1_sha512:
            return sha512_rsa;
        case SignatureScheme::rsa_pss_sha256:
            return pss_sha256;
        case SignatureScheme::rsa_pss_sha384:
            return pss_sha384;
        case SignatureScheme::rsa_pss_sha512:
            return pss_sha512;
        case SignatureScheme::ecdsa_sha256:
            return ecdsa_sha256;
        case SignatureScheme::ecdsa_sha384:
            return ecdsa_sha384;
        case SignatureScheme::ecdsa_sha512:
            return ecdsa_sha512;
        case SignatureScheme::ed25519:
            return ed25519;
    }
    NSSLAB_ASSERT(false, "unknown SignatureScheme");
    return {};
}

Result<SignatureScheme> parse_signature_algorithm_identifier(ByteView der) {
    DerReader top(der, 0);
    auto seq = top.expect(tag_sequence, "AlgorithmIdentifier");
    if (!seq)
        return seq.error();
    if (!top.empty())
        return at(top.offset(), Errc::decode_error,
                  std::to_string(der.size() - top.offset()) + " octets after the SEQUENCE");
    DerReader r(seq->value, seq->value_offset);
    auto id = r.expect(tag_oid, "algorithm OID");
    if (!id)
        return id.error();
    Oid const o = id->value;
    std::size_t const after_oid = r.offset();

    // Algorithms whose parameters are NULL (PKCS#1 v1.5) or absent (ECDSA, EdDSA, DSA).
    struct Simple {
        Oid oid;
        std::optional<SignatureScheme> scheme;
        bool null_params;
        char const* name;
    };
    std::array<Simple, 12> const simple{{
        {Oid(oid_rsa_sha256_b), SignatureScheme::rsa_pkcs1_sha256, true, ""},
        {Oid(oid_rsa_sha384_b), SignatureScheme::rsa_pkcs1_sha384, true, ""},
        {Oid(oid_rsa_sha512_b), SignatureScheme::rsa_pkcs1_sha512, true, ""},
        {Oid(oid_ecdsa_sha256_b), SignatureScheme::ecdsa_sha256, false, ""},
        {Oid(oid_ecdsa_sha384_b), SignatureScheme::ecdsa_sha384, false, ""},
        {Oid(oid_ecdsa_sha512_b), SignatureScheme::ecdsa_sha512, false, ""},
        {Oid(oid_ed25519_b), SignatureScheme::ed25519, false, ""},
        {Oid(oid_rsa_sha1_b), std::nullopt, true, "sha1WithRSAEncryption"},
        {Oid(oid_ecdsa_sha1_b), std::nullopt, false, "ecdsa-with-SHA1"},
        {Oid(oid_dsa_sha1_b), std::nullopt, false, "dsa-with-sha1"},
        {Oid(oid_dsa_sha256_b), std::nullopt, false, "dsa-with-sha256"},
        {Oid(oid_ed448_b), std::nullopt, false, "Ed448"},
    }};
    for (auto const& s : simple) {
        if (!same(o, s.oid))
            continue;
        if (!s.scheme)
            return at(id->offset, Errc::unsupported,
                      std::string(s.name) + " has no nsslab signature scheme");
        if (s.null_params) {
            // RFC 4055 section 5: NULL; absent parameters are tolerated as many decoders do.
            if (!r.empty()) {
                auto params = r.expect(tag_null, "parameters");
                if (!params)
                    return params.error();
                if (!params->value.empty())
                    return at(params->offset, Errc::decode_error, "NULL with a value");
            }
        }
        if (!r.empty())
            return at(r.offset(), Errc::decode_error,
                      "unexpected parameters for " + std::string(to_string(*s.scheme)));
        return *s.scheme;
    }
    if (same(o, Oid(oid_pss_b))) {
        auto scheme = parse_pss_params(r, after_oid);
        if (!scheme)
            return scheme;
        if (!r.empty())
            return at(r.offset(), Errc::decode_error, "trailing data after RSASSA-PSS-params");
        return scheme;
    }
    return at(id->offset, Errc::unknown_type,
              "unknown signature algorithm OID " + to_hex(id->value));
}

Result<SignatureAuthData> parse_signature_auth_data(ByteView auth_data) {
    if (auth_data.empty())
        return fail(Errc::truncated, "signature Authentication Data is empty");
    std::size_t const len = auth_data[0];
    if (auth_data.size() - 1 < len)
        return fail(Errc::truncated, "signature Authentication Data: ASN.1 Length " +
                                         std::to_string(len) + " exceeds the " +
                                         std::to_string(auth_data.size() - 1) + " octets left");
    auto scheme = parse_signature_algorithm_identifier(auth_data.subspan(1, len));
    if (!scheme)
        return scheme.error();
    ByteView const signature = auth_data.subspan(1 + len);
    if (signature.empty())
        return fail(Errc::decode_error, "signature Authentication Data has no signature value");
    return SignatureAuthData{*scheme, signature};
}

Bytes signature_auth_data(SignatureScheme scheme, ByteView signature) {
    ByteView const id = signature_algorithm_identifier(scheme);
    NSSLAB_ASSERT(id.size() <= 255, "AlgorithmIdentifier exceeds the ASN.1 Length octet");
    Bytes out;
    out.reserve(1 + id.size() + signature.size());
    out.push_back(static_cast<std::uint8_t>(id.size()));
    out.insert(out.end(), id.begin(), id.end());
    out.insert(out.end(), signature.begin(), signature.end());
    return out;
}

std::string_view to_string(SignatureHash hash) {
    switch (hash) {
        case SignatureHash::sha1:
            return "sha1";
        case SignatureHash::sha2_256:
            return "sha256";
        case SignatureHash::sha2_384:
            return "sha384";
        case SignatureHash::sha2_512:
            return "sha512";
        case SignatureHash::identity:
            return "identity";
    }
    return "unknown";
}

std::optional<SignatureHash> signature_hash_from_number(std::uint16_t number) {
    if (number >= 1 && number <= 5)
        return static_cast<SignatureHash>(number);
    return std::nullopt;
}

SignatureHash signature_hash_of(SignatureScheme scheme) {
    switch (scheme) {
        case SignatureScheme::rsa_pkcs1_sha256:
        case SignatureScheme::rsa_pss_sha256:
        case SignatureScheme::ecdsa_sha256:
            return SignatureHash::sha2_256;
        case SignatureScheme::rsa_pkcs1_sha384:
        case SignatureScheme::rsa_pss_sha384:
        case SignatureScheme::ecdsa_sha384:
            return SignatureHash::sha2_384;
        case SignatureScheme::rsa_pkcs1_sha512:
        case SignatureScheme::rsa_pss_sha512:
        case SignatureScheme::ecdsa_sha512:
            return SignatureHash::sha2_512;
        case SignatureScheme::ed25519:
            return SignatureHash::identity;
    }
    NSSLAB_ASSERT(false, "unknown SignatureScheme");
    return SignatureHash::identity;
}

}  // namespace nsslab::crypto
