// IKEv2 encoder (codec.hpp): lengths, counts and the Next Payload chain are computed here;
// RESERVED fields and the critical bit are sent as zero. A model that cannot be represented
// (a length beyond its field) is a caller's broken invariant and asserts.
#include <limits>

#include "layout.hpp"
#include "nsslab/wire_ike/codec.hpp"

namespace nsslab::wire_ike {
namespace {

using namespace layout;

constexpr std::size_t max_u16 = std::numeric_limits<std::uint16_t>::max();

std::uint8_t u8_of(std::size_t n, char const* what) {
    NSSLAB_ASSERT(n <= 0xFF, what);
    return static_cast<std::uint8_t>(n);
}

// Patches the 16-bit length field at start + 2 of a structure that began at `start`.
void patch_length(ByteWriter& w, std::size_t start, char const* what) {
    std::size_t const length = w.size() - start;
    NSSLAB_ASSERT(length <= max_u16, what);
    w.patch_u16(start + 2, static_cast<std::uint16_t>(length));
}

class BodyWriter {
  public:
    explicit BodyWriter(ByteWriter& w) : w_(w) {}

    void operator()(SecurityAssociation const& sa) {
        for (std::size_t i = 0; i < sa.proposals.size(); ++i)
            proposal(sa.proposals[i], i + 1 == sa.proposals.size());
    }
    void operator()(KeyExchange const& ke) {
        w_.u16(static_cast<std::uint16_t>(ke.group));
        w_.u16(0);
        w_.bytes(ke.data);
    }
    template <PayloadType Kind>
    void operator()(Identification<Kind> const& id) {
        w_.u8(static_cast<std::uint8_t>(id.id_type));
        reserved24();
        w_.bytes(id.data);
    }
    void operator()(Certificate const& c) {
        w_.u8(static_cast<std::uint8_t>(c.encoding));
        w_.bytes(c.data);
    }
    void operator()(CertificateRequest const& c) {
        w_.u8(static_cast<std::uint8_t>(c.encoding));
        w_.bytes(c.authorities);
    }
    void operator()(Authentication const& a) {
        w_.u8(static_cast<std::uint8_t>(a.method));
        reserved24();
        w_.bytes(a.data);
    }
    void operator()(Nonce const& n) { w_.bytes(n.data); }
    void operator()(Notify const& n) {
        w_.u8(static_cast<std::uint8_t>(n.protocol));
        w_.u8(u8_of(n.spi.size(), "Notify SPI longer than 255 octets"));
        w_.u16(static_cast<std::uint16_t>(n.type));
        w_.bytes(n.spi);
        w_.bytes(n.data);
    }
    void operator()(Delete const& d) {
        NSSLAB_ASSERT(d.spis.size() <= max_u16, "Delete with more than 65535 SPIs");
        w_.u8(static_cast<std::uint8_t>(d.protocol));
        w_.u8(d.spi_size);
        w_.u16(static_cast<std::uint16_t>(d.spis.size()));
        for (auto const& spi : d.spis) {
            NSSLAB_ASSERT(spi.size() == d.spi_size, "Delete SPI of another size than spi_size");
            w_.bytes(spi);
        }
    }
    void operator()(VendorId const& v) { w_.bytes(v.data); }
    template <PayloadType Kind>
    void operator()(TrafficSelectors<Kind> const& ts) {
        w_.u8(u8_of(ts.selectors.size(), "more than 255 traffic selectors"));
        reserved24();
        for (auto const& s : ts.selectors)
            selector(s);
    }
    void operator()(Encrypted const& sk) { w_.bytes(sk.body); }
    void operator()(EncryptedFragment const& f) {
        w_.u16(f.number);
        w_.u16(f.total);
        w_.bytes(f.body);
    }
    void operator()(Configuration const& cp) {
        w_.u8(static_cast<std::uint8_t>(cp.type));
        reserved24();
        for (auto const& a : cp.attributes) {
            NSSLAB_ASSERT(a.type <= 0x7FFF, "CP attribute type wider than 15 bits");
            NSSLAB_ASSERT(a.value.size() <= max_u16, "CP attribute value longer than 65535");
            w_.u16(a.type);
            w_.u16(static_cast<std::uint16_t>(a.value.size()));
            w_.bytes(a.value);
        }
    }
    void operator()(Eap const& e) { w_.bytes(e.data); }
    void operator()(UnknownPayload const& u) { w_.bytes(u.data); }

  private:
    void reserved24() {
        w_.u8(0);
        w_.u16(0);
    }

    void proposal(Proposal const& p, bool last) {
        std::size_t const start = w_.size();
        w_.u8(last ? 0 : more_proposals);
        w_.u8(0);
        w_.u16(0);  // Proposal Length, patched
        w_.u8(p.number);
        w_.u8(static_cast<std::uint8_t>(p.protocol));
        w_.u8(u8_of(p.spi.size(), "proposal SPI longer than 255 octets"));
        w_.u8(u8_of(p.transforms.size(), "more than 255 transforms in a proposal"));
        w_.bytes(p.spi);
        for (std::size_t i = 0; i < p.transforms.size(); ++i)
            transform(p.transforms[i], i + 1 == p.transforms.size());
        patch_length(w_, start, "proposal longer than 65535 octets");
    }

    void transform(Transform const& t, bool last) {
        std::size_t const start = w_.size();
        w_.u8(last ? 0 : more_transforms);
        w_.u8(0);
        w_.u16(0);  // Transform Length, patched
        w_.u8(static_cast<std::uint8_t>(t.type));
        w_.u8(0);
        w_.u16(t.id);
        for (auto const& a : t.attributes) {
            NSSLAB_ASSERT(a.type <= 0x7FFF, "transform attribute type wider than 15 bits");
            if (a.tv) {
                w_.u16(static_cast<std::uint16_t>(a.type | attribute_format_tv));
                w_.u16(a.tv_value);
            } else {
                NSSLAB_ASSERT(a.tlv_value.size() <= max_u16, "attribute longer than 65535");
                w_.u16(a.type);
                w_.u16(static_cast<std::uint16_t>(a.tlv_value.size()));
                w_.bytes(a.tlv_value);
            }
        }
        patch_length(w_, start, "transform longer than 65535 octets");
    }

    void selector(TrafficSelector const& s) {
        bool const v6 = s.type == TsType::ipv6_addr_range;
        NSSLAB_ASSERT(v6 || s.type == TsType::ipv4_addr_range, "TS type is neither 7 nor 8");
        NSSLAB_ASSERT(s.start_address.is_v6() == v6 && s.end_address.is_v6() == v6,
                      "TS addresses of another family than the TS type");
        std::size_t const address_size = v6 ? 16 : 4;
        w_.u8(static_cast<std::uint8_t>(s.type));
        w_.u8(s.ip_protocol);
        w_.u16(static_cast<std::uint16_t>(v6 ? ts_ipv6_size : ts_ipv4_size));
        w_.u16(s.start_port);
        w_.u16(s.end_port);
        w_.bytes(ByteView(s.start_address.raw()).first(address_size));
        w_.bytes(ByteView(s.end_address.raw()).first(address_size));
    }

    ByteWriter& w_;
};

bool is_encrypted(PayloadType type) {
    return type == PayloadType::sk || type == PayloadType::skf;
}

PayloadType first_inner_of(Payload const& p) {
    if (auto const* sk = std::get_if<Encrypted>(&p))
        return sk->first_inner;
    return std::get<EncryptedFragment>(p).first_inner;
}

void write_chain(ByteWriter& w, std::span<Payload const> payloads, bool outer) {
    for (std::size_t i = 0; i < payloads.size(); ++i) {
        Payload const& p = payloads[i];
        bool const last = i + 1 == payloads.size();
        PayloadType next = last ? PayloadType::none : payload_type(payloads[i + 1]);
        if (is_encrypted(payload_type(p))) {
            NSSLAB_ASSERT(outer, "SK/SKF inside an encrypted payload chain");
            NSSLAB_ASSERT(last, "SK/SKF must be the last payload of a message");
            next = first_inner_of(p);
        }
        std::size_t const start = w.size();
        w.u8(static_cast<std::uint8_t>(next));
        w.u8(0);   // critical bit and RESERVED
        w.u16(0);  // Payload Length, patched
        BodyWriter body(w);
        std::visit(body, p);
        patch_length(w, start, "payload longer than 65535 octets");
    }
}

// The IKE header with Next Payload `first` and Length `length`.
void write_header(ByteWriter& w, Header const& h, PayloadType first, std::size_t length) {
    NSSLAB_ASSERT(h.minor_version <= 0x0F, "minor version wider than 4 bits");
    NSSLAB_ASSERT(length <= std::numeric_limits<std::uint32_t>::max(), "message too long");
    w.u64(h.spi_i);
    w.u64(h.spi_r);
    w.u8(static_cast<std::uint8_t>(first));
    w.u8(static_cast<std::uint8_t>(major_version << 4 | h.minor_version));
    w.u8(static_cast<std::uint8_t>(h.exchange_type));
    w.u8(static_cast<std::uint8_t>((h.initiator ? flag_initiator : 0) |
                                   (h.higher_version ? flag_version : 0) |
                                   (h.response ? flag_response : 0)));
    w.u32(h.message_id);
    w.u32(static_cast<std::uint32_t>(length));
}

// The header and an SK/SKF generic header (plus fragment fields) for a body of body_size.
Bytes encrypted_prefix(Header const& header, PayloadType type, PayloadType first_inner,
                       ByteView fragment_fields, std::size_t body_size) {
    std::size_t const payload_length = generic_header_size + fragment_fields.size() + body_size;
    NSSLAB_ASSERT(payload_length <= max_u16, "encrypted payload longer than 65535 octets");
    Bytes out;
    ByteWriter w(out);
    write_header(w, header, type, header_size + payload_length);
    w.u8(static_cast<std::uint8_t>(first_inner));
    w.u8(0);
    w.u16(static_cast<std::uint16_t>(payload_length));
    w.bytes(fragment_fields);
    return out;
}

}  // namespace

Bytes encode(Message const& message) {
    Bytes out;
    ByteWriter w(out);
    PayloadType const first =
        message.payloads.empty() ? PayloadType::none : payload_type(message.payloads.front());
    write_header(w, message.header, first, 0);
    write_chain(w, message.payloads, true);
    NSSLAB_ASSERT(out.size() <= std::numeric_limits<std::uint32_t>::max(), "message too long");
    w.patch_u32(length_at, static_cast<std::uint32_t>(out.size()));
    return out;
}

Bytes encode_payload_chain(std::span<Payload const> payloads) {
    Bytes out;
    ByteWriter w(out);
    write_chain(w, payloads, false);
    return out;
}

Bytes encode_sk_prefix(Header const& header, PayloadType first_inner, std::size_t body_size) {
    return encrypted_prefix(header, PayloadType::sk, first_inner, {}, body_size);
}

Bytes encode_skf_prefix(Header const& header, PayloadType first_inner, std::uint16_t number,
                        std::uint16_t total, std::size_t body_size) {
    std::uint8_t const fields[] = {
        static_cast<std::uint8_t>(number >> 8), static_cast<std::uint8_t>(number),
        static_cast<std::uint8_t>(total >> 8), static_cast<std::uint8_t>(total)};
    return encrypted_prefix(header, PayloadType::skf, first_inner, fields, body_size);
}

std::optional<ProtectedParts> protected_parts(ByteView message, Message const& decoded) {
    if (decoded.payloads.empty())
        return std::nullopt;
    Payload const& last = decoded.payloads.back();
    Bytes const* body = nullptr;
    if (auto const* sk = std::get_if<Encrypted>(&last))
        body = &sk->body;
    else if (auto const* skf = std::get_if<EncryptedFragment>(&last))
        body = &skf->body;
    if (body == nullptr)
        return std::nullopt;
    NSSLAB_ASSERT(body->size() <= message.size(), "protected_parts: not the decoded message");
    std::size_t const prefix = message.size() - body->size();
    return ProtectedParts{message.first(prefix), message.subspan(prefix)};
}

}  // namespace nsslab::wire_ike
