// IKEv2 decoder (codec.hpp): the header, the payload chain and every payload body. Each check
// names the absolute offset of the field or structure at fault and the payload it is in.
#include <array>
#include <string>
#include <utility>

#include "layout.hpp"
#include "nsslab/wire_ike/codec.hpp"

namespace nsslab::wire_ike {
namespace {

using namespace layout;

std::uint16_t load_u16(ByteView b, std::size_t at) {
    return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]);
}
std::uint32_t load_u32(ByteView b, std::size_t at) {
    return std::uint32_t{b[at]} << 24 | std::uint32_t{b[at + 1]} << 16 |
           std::uint32_t{b[at + 2]} << 8 | b[at + 3];
}
std::uint64_t load_u64(ByteView b, std::size_t at) {
    return std::uint64_t{load_u32(b, at)} << 32 | load_u32(b, at + 4);
}
Bytes copy(ByteView b) {
    return Bytes(b.begin(), b.end());
}
std::string str(std::size_t n) {
    return std::to_string(n);
}

// "Nonce payload", or "payload type 200" for a type without a name.
std::string payload_label(PayloadType type) {
    std::string_view const name = to_string(type);
    if (name == "unknown")
        return "payload type " + str(static_cast<std::uint8_t>(type));
    return std::string(name) + " payload";
}

Error fail_at(Errc code, std::size_t offset, std::string_view what_is_at, std::string const& why) {
    return Error{code, "ike: offset " + str(offset) + ": " + std::string(what_is_at) + ": " + why};
}

// One payload body being decoded: the octets after its generic header.
class Body {
  public:
    Body(PayloadType type, std::size_t at, ByteView data)
        : at_(at), data_(data), label_(payload_label(type)) {}

    ByteView data() const { return data_; }
    std::size_t size() const { return data_.size(); }
    // Absolute offset of body octet `pos`.
    std::size_t offset(std::size_t pos) const { return at_ + generic_header_size + pos; }

    Error fail(Errc code, std::size_t pos, std::string const& why) const {
        return fail_at(code, offset(pos), label_, why);
    }
    // `what` at body position pos needs n octets before `end`.
    Result<void> need(std::size_t pos, std::size_t end, std::size_t n,
                      std::string const& what) const {
        if (end - pos < n) {
            return fail(Errc::truncated, pos,
                        what + ": needs " + str(n) + " octets, " + str(end - pos) + " left");
        }
        return {};
    }
    // An SPI Size field at body position pos (proposals, N, D).
    Result<void> check_spi_size(std::size_t pos, std::size_t spi_size,
                                std::string const& what) const {
        if (spi_size > max_spi_size) {
            return fail(Errc::oversized, pos,
                        what + "SPI Size " + str(spi_size) + " above maximum " + str(max_spi_size));
        }
        return {};
    }
    // The payload's own length is outside [min_body, max_body] + 4: named at its generic header.
    Result<void> require_size(std::size_t min_body, std::size_t max_body = max_message_size) const {
        std::size_t const length = generic_header_size + data_.size();
        if (data_.size() < min_body) {
            return fail_at(
                Errc::decode_error, at_, label_,
                "length " + str(length) + " below minimum " + str(generic_header_size + min_body));
        }
        if (data_.size() > max_body) {
            return fail_at(
                Errc::oversized, at_, label_,
                "length " + str(length) + " above maximum " + str(generic_header_size + max_body));
        }
        return {};
    }

  private:
    std::size_t at_;
    ByteView data_;
    std::string label_;
};

#define IKE_TRY(expr)              \
    do {                           \
        if (auto r_ = (expr); !r_) \
            return r_.error();     \
    } while (false)

// A run of substructures with the common prefix Last Substruc (8) | RESERVED (8) | Length (16):
// proposals in an SA, transforms in a proposal. Yields (position, length) of each one and checks
// that Last Substruc says "more" exactly when another one follows.
class Substructures {
  public:
    Substructures(Body const& body, std::size_t begin, std::size_t end, std::uint8_t more_value,
                  std::size_t min_size, std::string name)
        : body_(body),
          pos_(begin),
          end_(end),
          more_value_(more_value),
          min_size_(min_size),
          name_(std::move(name)) {}

    bool done() const { return pos_ == end_ && !expect_more_; }

    // The next substructure's span [pos, pos + length).
    Result<std::pair<std::size_t, std::size_t>> next() {
        std::size_t const pos = pos_;
        ++index_;
        IKE_TRY(body_.need(pos, end_, 4, what()));
        std::uint8_t const last = body_.data()[pos];
        if (last != 0 && last != more_value_) {
            return body_.fail(
                Errc::decode_error, pos,
                what() + ": Last Substruc " + str(last) + " is neither 0 nor " + str(more_value_));
        }
        std::size_t const length = load_u16(body_.data(), pos + 2);
        if (length < min_size_) {
            return body_.fail(
                Errc::decode_error, pos,
                what() + ": length " + str(length) + " below minimum " + str(min_size_));
        }
        if (length > end_ - pos) {
            return body_.fail(Errc::truncated, pos,
                              what() + ": length " + str(length) +
                                  " overruns its container: " + str(end_ - pos) + " octets left");
        }
        pos_ = pos + length;
        expect_more_ = last == more_value_;
        if (expect_more_ && pos_ == end_) {
            return body_.fail(
                Errc::truncated, pos,
                what() + ": Last Substruc " + str(last) + " announces another, but none follows");
        }
        if (!expect_more_ && pos_ != end_) {
            return body_.fail(
                Errc::decode_error, pos,
                what() + ": Last Substruc 0 but " + str(end_ - pos_) + " octets follow");
        }
        return std::pair{pos, length};
    }

    std::string what() const { return name_ + " " + str(index_); }

  private:
    Body const& body_;
    std::size_t pos_;
    std::size_t end_;
    std::uint8_t more_value_;
    std::size_t min_size_;
    std::string name_;
    std::size_t index_{0};
    bool expect_more_{true};  // at least one is required
};

// --- SA ----------------------------------------------------------------------------------------

Result<std::vector<TransformAttribute>> decode_attributes(Body const& body, std::size_t begin,
                                                          std::size_t end,
                                                          std::string const& where) {
    std::vector<TransformAttribute> out;
    std::size_t pos = begin;
    while (pos < end) {
        std::string const what = where + ": attribute " + str(out.size() + 1);
        if (out.size() == max_transform_attributes) {
            return body.fail(
                Errc::oversized, pos,
                where + ": more than " + str(max_transform_attributes) + " attributes");
        }
        IKE_TRY(body.need(pos, end, 4, what));
        std::uint16_t const type_field = load_u16(body.data(), pos);
        std::uint16_t const second = load_u16(body.data(), pos + 2);
        TransformAttribute a;
        a.type = static_cast<std::uint16_t>(type_field & ~attribute_format_tv);
        a.tv = (type_field & attribute_format_tv) != 0;
        if (a.tv) {
            a.tv_value = second;
            pos += 4;
        } else {
            if (second > end - pos - 4) {
                return body.fail(Errc::truncated, pos,
                                 what + ": value length " + str(second) +
                                     " overruns the transform: " + str(end - pos - 4) +
                                     " octets left");
            }
            a.tlv_value = copy(body.data().subspan(pos + 4, second));
            pos += 4 + std::size_t{second};
        }
        out.push_back(std::move(a));
    }
    return out;
}

Result<Proposal> decode_proposal(Body const& body, std::size_t pos, std::size_t length,
                                 std::string const& where) {
    ByteView const d = body.data();
    Proposal p;
    p.number = d[pos + 4];
    p.protocol = static_cast<ProtocolId>(d[pos + 5]);
    std::size_t const spi_size = d[pos + 6];
    std::size_t const count = d[pos + 7];
    IKE_TRY(body.check_spi_size(pos + 6, spi_size, where + ": "));
    if (proposal_fixed_size + spi_size > length) {
        return body.fail(
            Errc::decode_error, pos + 6,
            where + ": SPI Size " + str(spi_size) + " does not fit length " + str(length));
    }
    if (count == 0)
        return body.fail(Errc::decode_error, pos + 7, where + ": no transform");
    if (count > max_transforms) {
        return body.fail(Errc::oversized, pos + 7,
                         where + ": " + str(count) + " transforms, at most " + str(max_transforms));
    }
    p.spi = copy(d.subspan(pos + proposal_fixed_size, spi_size));
    Substructures transforms(body, pos + proposal_fixed_size + spi_size, pos + length,
                             more_transforms, transform_fixed_size, where + ": transform");
    while (!transforms.done()) {
        if (p.transforms.size() == count) {
            return body.fail(Errc::decode_error, pos + 7,
                             where + ": Num Transforms " + str(count) + " but more follow");
        }
        auto span = transforms.next();
        if (!span)
            return span.error();
        auto const [t_pos, t_length] = *span;
        Transform t;
        t.type = static_cast<TransformType>(d[t_pos + 4]);
        t.id = load_u16(d, t_pos + 6);
        auto attributes = decode_attributes(body, t_pos + transform_fixed_size, t_pos + t_length,
                                            transforms.what());
        if (!attributes)
            return attributes.error();
        t.attributes = std::move(*attributes);
        p.transforms.push_back(std::move(t));
    }
    if (p.transforms.size() != count) {
        return body.fail(Errc::decode_error, pos + 7,
                         where + ": Num Transforms " + str(count) + " but " +
                             str(p.transforms.size()) + " present");
    }
    return p;
}

Result<SecurityAssociation> decode_sa(Body const& body) {
    SecurityAssociation sa;
    Substructures proposals(body, 0, body.size(), more_proposals, proposal_fixed_size, "proposal");
    while (!proposals.done()) {
        if (sa.proposals.size() == max_proposals) {
            return body.fail(Errc::oversized, 0, "more than " + str(max_proposals) + " proposals");
        }
        auto span = proposals.next();
        if (!span)
            return span.error();
        auto proposal = decode_proposal(body, span->first, span->second, proposals.what());
        if (!proposal)
            return proposal.error();
        sa.proposals.push_back(std::move(*proposal));
    }
    return sa;
}

// --- the fixed-prefix payloads -------------------------------------------------------------------

Result<KeyExchange> decode_ke(Body const& body) {
    IKE_TRY(body.require_size(4, 4 + max_ke_data_size));
    return KeyExchange{static_cast<DhGroup>(load_u16(body.data(), 0)),
                       copy(body.data().subspan(4))};
}

template <class T>
Result<T> decode_id(Body const& body) {
    IKE_TRY(body.require_size(4));
    return T{static_cast<IdType>(body.data()[0]), copy(body.data().subspan(4))};
}

Result<Certificate> decode_cert(Body const& body) {
    IKE_TRY(body.require_size(1));
    return Certificate{static_cast<CertEncoding>(body.data()[0]), copy(body.data().subspan(1))};
}

Result<CertificateRequest> decode_certreq(Body const& body) {
    IKE_TRY(body.require_size(1));
    return CertificateRequest{static_cast<CertEncoding>(body.data()[0]),
                              copy(body.data().subspan(1))};
}

Result<Authentication> decode_auth(Body const& body) {
    IKE_TRY(body.require_size(4));
    return Authentication{static_cast<AuthMethod>(body.data()[0]), copy(body.data().subspan(4))};
}

Result<Nonce> decode_nonce(Body const& body) {
    IKE_TRY(body.require_size(min_nonce_size, max_nonce_size));
    return Nonce{copy(body.data())};
}

Result<Notify> decode_notify(Body const& body) {
    IKE_TRY(body.require_size(4));
    ByteView const d = body.data();
    std::size_t const spi_size = d[1];
    IKE_TRY(body.check_spi_size(1, spi_size, ""));
    if (spi_size > d.size() - 4) {
        return body.fail(Errc::truncated, 1,
                         "SPI Size " + str(spi_size) +
                             " overruns the payload: " + str(d.size() - 4) + " octets left");
    }
    Notify n;
    n.protocol = static_cast<ProtocolId>(d[0]);
    n.type = static_cast<NotifyType>(load_u16(d, 2));
    n.spi = copy(d.subspan(4, spi_size));
    n.data = copy(d.subspan(4 + spi_size));
    return n;
}

Result<Delete> decode_delete(Body const& body) {
    IKE_TRY(body.require_size(4));
    ByteView const d = body.data();
    Delete del;
    del.protocol = static_cast<ProtocolId>(d[0]);
    del.spi_size = d[1];
    std::size_t const count = load_u16(d, 2);
    IKE_TRY(body.check_spi_size(1, del.spi_size, ""));
    if (count > max_delete_spis) {
        return body.fail(Errc::oversized, 2, str(count) + " SPIs, at most " + str(max_delete_spis));
    }
    if (count * del.spi_size != d.size() - 4) {
        return body.fail(Errc::decode_error, 2,
                         str(count) + " SPIs of " + str(del.spi_size) + " octets need " +
                             str(count * del.spi_size) + " octets, the payload has " +
                             str(d.size() - 4));
    }
    for (std::size_t i = 0; i < count; ++i)
        del.spis.push_back(copy(d.subspan(4 + i * del.spi_size, del.spi_size)));
    return del;
}

// --- traffic selectors ---------------------------------------------------------------------------

IpAddress load_address(ByteView b, std::size_t at, bool v6) {
    if (!v6)
        return IpAddress::v4(load_u32(b, at));
    std::array<std::uint8_t, 16> raw{};
    for (std::size_t i = 0; i < raw.size(); ++i)
        raw[i] = b[at + i];
    return IpAddress::v6(raw);
}

template <class T>
Result<T> decode_ts(Body const& body) {
    IKE_TRY(body.require_size(4));
    ByteView const d = body.data();
    std::size_t const count = d[0];
    if (count == 0)
        return body.fail(Errc::decode_error, 0, "no traffic selector");
    if (count > max_traffic_selectors) {
        return body.fail(Errc::oversized, 0,
                         str(count) + " traffic selectors, at most " + str(max_traffic_selectors));
    }
    T ts;
    std::size_t pos = 4;
    for (std::size_t i = 1; i <= count; ++i) {
        std::string const what = "traffic selector " + str(i);
        IKE_TRY(body.need(pos, d.size(), 4, what));
        auto const type = static_cast<TsType>(d[pos]);
        std::size_t const length = load_u16(d, pos + 2);
        std::size_t expected = 0;
        if (type == TsType::ipv4_addr_range) {
            expected = ts_ipv4_size;
        } else if (type == TsType::ipv6_addr_range) {
            expected = ts_ipv6_size;
        } else {
            return body.fail(Errc::unknown_type, pos,
                             what + ": TS Type " + str(d[pos]) + " is not 7 (IPv4) or 8 (IPv6)");
        }
        if (length != expected) {
            return body.fail(Errc::decode_error, pos + 2,
                             what + ": Selector Length " + str(length) + ", " +
                                 std::string(to_string(type)) + " has " + str(expected));
        }
        IKE_TRY(body.need(pos, d.size(), length, what));
        bool const v6 = type == TsType::ipv6_addr_range;
        std::size_t const address_size = v6 ? 16 : 4;
        TrafficSelector s;
        s.type = type;
        s.ip_protocol = d[pos + 1];
        s.start_port = load_u16(d, pos + 4);
        s.end_port = load_u16(d, pos + 6);
        s.start_address = load_address(d, pos + 8, v6);
        s.end_address = load_address(d, pos + 8 + address_size, v6);
        ts.selectors.push_back(s);
        pos += length;
    }
    if (pos != d.size()) {
        return body.fail(
            Errc::decode_error, pos,
            str(d.size() - pos) + " octets after " + str(count) + " traffic selectors");
    }
    return ts;
}

// --- encrypted, configuration, opaque ------------------------------------------------------------

Result<EncryptedFragment> decode_skf(Body const& body, PayloadType first_inner) {
    IKE_TRY(body.require_size(4));
    ByteView const d = body.data();
    EncryptedFragment f;
    f.first_inner = first_inner;
    f.number = load_u16(d, 0);
    f.total = load_u16(d, 2);
    if (f.total == 0 || f.total > max_fragments) {
        return body.fail(f.total == 0 ? Errc::decode_error : Errc::oversized, 2,
                         "Total Fragments " + str(f.total) + " not in 1.." + str(max_fragments));
    }
    if (f.number == 0 || f.number > f.total) {
        return body.fail(Errc::decode_error, 0,
                         "Fragment Number " + str(f.number) + " not in 1.." + str(f.total));
    }
    f.body = copy(d.subspan(4));
    return f;
}

Result<Configuration> decode_cp(Body const& body) {
    IKE_TRY(body.require_size(4));
    ByteView const d = body.data();
    Configuration cp;
    cp.type = static_cast<CfgType>(d[0]);
    std::size_t pos = 4;
    while (pos < d.size()) {
        std::string const what = "attribute " + str(cp.attributes.size() + 1);
        if (cp.attributes.size() == max_cfg_attributes) {
            return body.fail(Errc::oversized, pos,
                             "more than " + str(max_cfg_attributes) + " attributes");
        }
        IKE_TRY(body.need(pos, d.size(), 4, what));
        std::size_t const length = load_u16(d, pos + 2);
        if (length > d.size() - pos - 4) {
            return body.fail(Errc::truncated, pos,
                             what + ": length " + str(length) + " overruns the payload: " +
                                 str(d.size() - pos - 4) + " octets left");
        }
        cp.attributes.push_back({static_cast<std::uint16_t>(load_u16(d, pos) & 0x7FFF),
                                 copy(d.subspan(pos + 4, length))});
        pos += 4 + length;
    }
    return cp;
}

Result<Payload> decode_body(Body const& body, PayloadType next) {
    auto lift = [](auto r) -> Result<Payload> {
        if (!r)
            return r.error();
        return Payload{std::move(*r)};
    };
    switch (next) {
        case PayloadType::sa:
            return lift(decode_sa(body));
        case PayloadType::ke:
            return lift(decode_ke(body));
        case PayloadType::idi:
            return lift(decode_id<IdI>(body));
        case PayloadType::idr:
            return lift(decode_id<IdR>(body));
        case PayloadType::cert:
            return lift(decode_cert(body));
        case PayloadType::certreq:
            return lift(decode_certreq(body));
        case PayloadType::auth:
            return lift(decode_auth(body));
        case PayloadType::nonce:
            return lift(decode_nonce(body));
        case PayloadType::notify:
            return lift(decode_notify(body));
        case PayloadType::delete_payload:
            return lift(decode_delete(body));
        case PayloadType::vendor_id:
            return Payload{VendorId{copy(body.data())}};
        case PayloadType::tsi:
            return lift(decode_ts<TsI>(body));
        case PayloadType::tsr:
            return lift(decode_ts<TsR>(body));
        case PayloadType::cp:
            return lift(decode_cp(body));
        case PayloadType::eap:
            return Payload{Eap{copy(body.data())}};
        case PayloadType::none:
        case PayloadType::sk:
        case PayloadType::skf:
            break;  // handled by the chain decoder
    }
    return Payload{UnknownPayload{next, copy(body.data())}};
}

bool known(PayloadType type) {
    return to_string(type) != "unknown" && type != PayloadType::none;
}

// The payload chain of a message (outer: SK/SKF allowed, last) or of an encrypted body.
Result<std::vector<Payload>> decode_chain(PayloadType first, ByteView bytes, std::size_t base,
                                          bool outer) {
    std::vector<Payload> payloads;
    std::size_t pos = 0;
    PayloadType next = first;
    while (next != PayloadType::none) {
        std::size_t const at = base + pos;
        std::string const label = payload_label(next);
        if (payloads.size() == max_payloads) {
            return fail_at(Errc::oversized, at, label,
                           "more than " + str(max_payloads) + " payloads in one chain");
        }
        std::size_t const left = bytes.size() - pos;
        if (left < generic_header_size) {
            return fail_at(Errc::truncated, at, label,
                           "generic header needs 4 octets, " + str(left) + " left");
        }
        auto const following = static_cast<PayloadType>(bytes[pos]);
        bool const critical = (bytes[pos + 1] & critical_bit) != 0;
        std::size_t const length = load_u16(bytes, pos + 2);
        if (length < generic_header_size) {
            return fail_at(Errc::decode_error, at, label,
                           "length " + str(length) + " below minimum 4");
        }
        if (length > left) {
            return fail_at(
                Errc::truncated, at, label,
                "length " + str(length) + " overruns the message: " + str(left) + " octets left");
        }
        Body const body(next, at, bytes.subspan(pos + generic_header_size, length - 4));
        pos += length;
        if (next == PayloadType::sk || next == PayloadType::skf) {
            if (!outer) {
                return fail_at(Errc::decode_error, at, label,
                               "not allowed inside an encrypted payload chain");
            }
            if (pos != bytes.size()) {
                return fail_at(
                    Errc::decode_error, at, label,
                    "must be the last payload, " + str(bytes.size() - pos) + " octets follow");
            }
            if (next == PayloadType::sk) {
                payloads.emplace_back(Encrypted{following, copy(body.data())});
            } else {
                auto f = decode_skf(body, following);
                if (!f)
                    return f.error();
                payloads.emplace_back(std::move(*f));
            }
            return payloads;
        }
        if (!known(next) && critical) {
            return fail_at(Errc::unsupported, at, label,
                           "unknown payload with the critical bit set "
                           "(UNSUPPORTED_CRITICAL_PAYLOAD " +
                               str(static_cast<std::uint8_t>(next)) + ")");
        }
        auto payload = decode_body(body, next);
        if (!payload)
            return payload.error();
        payloads.push_back(std::move(*payload));
        next = following;
    }
    if (pos != bytes.size()) {
        return fail_at(Errc::decode_error, base + pos, "end of chain",
                       str(bytes.size() - pos) + " octets after the last payload");
    }
    return payloads;
}

}  // namespace

Result<Message> decode(ByteView message) {
    if (message.size() < header_size) {
        return fail_at(Errc::truncated, 0, "header",
                       "needs " + str(header_size) + " octets, have " + str(message.size()));
    }
    if (message.size() > max_message_size) {
        return fail_at(
            Errc::oversized, 0, "header",
            "message of " + str(message.size()) + " octets above maximum " + str(max_message_size));
    }
    std::uint8_t const version = message[version_at];
    if (version >> 4 != major_version) {
        return fail_at(
            Errc::unsupported, version_at, "header",
            "major version " + str(version >> 4) + ", only 2 is supported (INVALID_MAJOR_VERSION)");
    }
    std::size_t const length = load_u32(message, length_at);
    if (length != message.size()) {
        return fail_at(
            length > message.size() ? Errc::truncated : Errc::decode_error, length_at, "header",
            "Length " + str(length) + " but the message has " + str(message.size()) + " octets");
    }
    Message m;
    std::uint8_t const flags = message[flags_at];
    m.header.spi_i = load_u64(message, 0);
    m.header.spi_r = load_u64(message, 8);
    m.header.minor_version = version & 0x0F;
    m.header.exchange_type = static_cast<ExchangeType>(message[exchange_type_at]);
    m.header.initiator = (flags & flag_initiator) != 0;
    m.header.higher_version = (flags & flag_version) != 0;
    m.header.response = (flags & flag_response) != 0;
    m.header.message_id = load_u32(message, message_id_at);
    auto payloads = decode_chain(static_cast<PayloadType>(message[next_payload_at]),
                                 message.subspan(header_size), header_size, true);
    if (!payloads)
        return payloads.error();
    m.payloads = std::move(*payloads);
    return m;
}

Result<std::vector<Payload>> decode_payload_chain(PayloadType first, ByteView plaintext,
                                                  std::size_t base_offset) {
    return decode_chain(first, plaintext, base_offset, false);
}

std::optional<std::uint8_t> unsupported_critical_payload(PayloadType first, ByteView chain) {
    // Only the generic payload headers: the answer must not depend on the bodies being valid.
    std::size_t pos = 0;
    PayloadType next = first;
    while (next != PayloadType::none && next != PayloadType::sk && next != PayloadType::skf &&
           pos + generic_header_size <= chain.size()) {
        bool const critical = (chain[pos + 1] & critical_bit) != 0;
        if (!known(next) && critical)
            return static_cast<std::uint8_t>(next);
        std::size_t const length = load_u16(chain, pos + 2);
        if (length < generic_header_size)
            break;
        next = static_cast<PayloadType>(chain[pos]);
        pos += length;
    }
    return std::nullopt;
}

std::optional<std::uint8_t> unsupported_critical_payload(ByteView message) {
    if (message.size() < header_size)
        return std::nullopt;
    return unsupported_critical_payload(static_cast<PayloadType>(message[next_payload_at]),
                                        message.subspan(header_size));
}

bool invalid_major_version(ByteView message) {
    return message.size() > version_at && (message[version_at] >> 4) != major_version;
}

}  // namespace nsslab::wire_ike
