// Binary codec of the NSS protocol: frames, attribute bodies, and the incremental FrameReader.
// The tag tables below are the normative list; docs/nss-protocol.md mirrors them.
#include "nsslab/wire_nss/codec.hpp"

#include <array>
#include <cstdio>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

namespace nsslab::wire_nss {
namespace {

// --- message type codes (header octet 3) ---------------------------------------------------

enum class MessageType : std::uint8_t {
    register_request = 0x01,
    register_reply = 0x02,
    sign_request = 0x10,
    sign_reply = 0x11,
    verify_request = 0x12,
    verify_reply = 0x13,
    cert_request = 0x14,
    cert_reply = 0x15,
    mgmt_request = 0x20,
    mgmt_reply = 0x21,
    keepalive = 0x30,
    keepalive_ack = 0x31,
    close = 0x3e,
    error = 0x3f,
};

// Indexed like the Body variant.
constexpr std::array<MessageType, std::variant_size_v<Body>> type_codes = {
    MessageType::register_request,
    MessageType::register_reply,
    MessageType::sign_request,
    MessageType::sign_reply,
    MessageType::verify_request,
    MessageType::verify_reply,
    MessageType::cert_request,
    MessageType::cert_reply,
    MessageType::mgmt_request,
    MessageType::mgmt_reply,
    MessageType::keepalive,
    MessageType::keepalive_ack,
    MessageType::close,
    MessageType::error,
};

// --- attribute tags ------------------------------------------------------------------------
// Tags are interpreted per message type; the same field keeps the same tag in every message.
// 0x8000 is the critical bit: an unknown tag with it set makes the frame undecodable.

constexpr std::uint16_t critical_bit = 0x8000;

namespace tag {
constexpr std::uint16_t result = 0x0001;
constexpr std::uint16_t reason = 0x0002;
// register_request
constexpr std::uint16_t client_api_version = 0x0010;
constexpr std::uint16_t client_name = 0x0011;
constexpr std::uint16_t system_name = 0x0012;
constexpr std::uint16_t stack_name = 0x0013;
constexpr std::uint16_t user_id = 0x0014;
constexpr std::uint16_t auth_method = 0x0015;
constexpr std::uint16_t credential = 0x0016;
constexpr std::uint16_t services = 0x0017;
// register_reply
constexpr std::uint16_t server_api_version = 0x0020;
constexpr std::uint16_t server_system_name = 0x0021;
constexpr std::uint16_t granted = 0x0022;
constexpr std::uint16_t cert_denial = 0x0023;
constexpr std::uint16_t remote_mgmt_denial = 0x0024;
constexpr std::uint16_t connection_id = 0x0025;
// certificate service
constexpr std::uint16_t label = 0x0030;
constexpr std::uint16_t scheme = 0x0031;
constexpr std::uint16_t data = 0x0032;
constexpr std::uint16_t signature = 0x0033;
constexpr std::uint16_t chain_certificate = 0x0034;
constexpr std::uint16_t subject = 0x0035;
constexpr std::uint16_t include_ca = 0x0036;
constexpr std::uint16_t certificate = 0x0037;
// Critical: a server that ignored it would answer a request for "no label" (docs/nss-protocol.md
// §8 "Adding the identity attribute").
constexpr std::uint16_t identity = critical_bit | 0x0038;
// inside a certificate (0x0037) value
constexpr std::uint16_t entry_label = 0x0001;
constexpr std::uint16_t entry_is_ca = 0x0002;
constexpr std::uint16_t entry_der = 0x0003;
// inside an identity (0x8038) value
constexpr std::uint16_t identity_type = 0x0001;
constexpr std::uint16_t identity_value = 0x0002;
// remote management
constexpr std::uint16_t command = 0x0040;
constexpr std::uint16_t target = 0x0041;
constexpr std::uint16_t requester = 0x0042;
constexpr std::uint16_t line = 0x0043;
// error
constexpr std::uint16_t fatal = 0x0050;
}  // namespace tag

constexpr std::uint32_t services_cert = 0x1;
constexpr std::uint32_t services_remote_mgmt = 0x2;

// One known attribute of a message type.
struct Field {
    std::uint16_t tag;
    std::string_view name;
    bool mandatory;
    std::size_t max_count;  // 1: single; more: a repeated (list) attribute
};

using Fields = std::span<Field const>;

constexpr Field register_request_fields[] = {
    {tag::client_api_version, "client_api_version", true, 1},
    {tag::client_name, "client_name", true, 1},
    {tag::system_name, "system_name", true, 1},
    {tag::stack_name, "stack_name", true, 1},
    {tag::user_id, "user_id", true, 1},
    {tag::auth_method, "auth_method", true, 1},
    {tag::credential, "credential", true, 1},
    {tag::services, "services", true, 1},
};
constexpr Field register_reply_fields[] = {
    {tag::result, "result", true, 1},
    {tag::reason, "reason", false, 1},
    {tag::server_api_version, "server_api_version", true, 1},
    {tag::server_system_name, "server_system_name", true, 1},
    {tag::granted, "granted", true, 1},
    {tag::cert_denial, "cert_denial", false, 1},
    {tag::remote_mgmt_denial, "remote_mgmt_denial", false, 1},
    {tag::connection_id, "connection_id", true, 1},
};
constexpr Field sign_request_fields[] = {
    {tag::label, "label", true, 1},
    {tag::scheme, "scheme", true, 1},
    {tag::data, "data", true, 1},
};
constexpr Field sign_reply_fields[] = {
    {tag::result, "result", true, 1},
    {tag::reason, "reason", false, 1},
    {tag::signature, "signature", false, 1},
};
constexpr Field verify_request_fields[] = {
    {tag::scheme, "scheme", true, 1},
    {tag::data, "data", true, 1},
    {tag::signature, "signature", true, 1},
    {tag::chain_certificate, "chain_certificate", false, max_chain_certificates},
};
constexpr Field verify_reply_fields[] = {
    {tag::result, "result", true, 1},
    {tag::reason, "reason", false, 1},
    {tag::subject, "subject", false, 1},
};
constexpr Field cert_request_fields[] = {
    {tag::label, "label", true, 1},
    {tag::include_ca, "include_ca", true, 1},
    {tag::identity, "identity", false, 1},
};
constexpr Field cert_reply_fields[] = {
    {tag::result, "result", true, 1},
    {tag::reason, "reason", false, 1},
    {tag::certificate, "certificate", false, max_certificate_entries},
};
constexpr Field certificate_entry_fields[] = {
    {tag::entry_label, "certificate.label", true, 1},
    {tag::entry_is_ca, "certificate.is_ca", true, 1},
    {tag::entry_der, "certificate.der", true, 1},
};
constexpr Field identity_fields[] = {
    {tag::identity_type, "identity.type", true, 1},
    {tag::identity_value, "identity.value", true, 1},
};
constexpr Field mgmt_request_fields[] = {
    {tag::command, "command", true, 1},
    {tag::target, "target", false, 1},
    {tag::requester, "requester", true, 1},
};
constexpr Field mgmt_reply_fields[] = {
    {tag::result, "result", true, 1},
    {tag::reason, "reason", false, 1},
    {tag::line, "line", false, max_display_lines},
};
constexpr Field close_fields[] = {{tag::reason, "reason", false, 1}};
constexpr Field error_fields[] = {
    {tag::result, "result", true, 1},
    {tag::reason, "reason", false, 1},
    {tag::fatal, "fatal", true, 1},
};

std::string hex16(std::uint16_t v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%04x", static_cast<unsigned>(v));
    return buf;
}

std::string hex8(std::uint8_t v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02x", static_cast<unsigned>(v));
    return buf;
}

// Returns the offset of the first octet that makes `s` invalid UTF-8 or a NUL, or npos.
std::size_t utf8_error_at(ByteView s) {
    std::size_t i = 0;
    while (i < s.size()) {
        std::uint8_t const c = s[i];
        if (c == 0)
            return i;
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1Fu;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0Fu;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07u;
        } else {
            return i;
        }
        if (s.size() - i < len)
            return i;
        for (std::size_t k = 1; k < len; ++k) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (s[i + k] & 0x3Fu);
        }
        bool const overlong =
            (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
        if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += len;
    }
    return std::string_view::npos;
}

struct Attr {
    std::uint16_t tag;
    std::size_t offset;  // of the tag, from the start of the frame
    ByteView value;
};

// The attributes of one body (or one nested value), checked against its field table.
class Attrs {
  public:
    static Result<Attrs> parse(std::string_view context, Fields fields, ByteView body,
                               std::size_t base) {
        Attrs a(context, fields);
        std::size_t pos = 0;
        while (pos < body.size()) {
            std::size_t const at = base + pos;
            if (body.size() - pos < 6) {
                return fail(Errc::decode_error, a.where() + ": attribute header at offset " +
                                                    std::to_string(at) + " needs 6 octets, " +
                                                    std::to_string(body.size() - pos) + " left");
            }
            auto const t = static_cast<std::uint16_t>((body[pos] << 8) | body[pos + 1]);
            std::uint32_t const len = (std::uint32_t{body[pos + 2]} << 24) |
                                      (std::uint32_t{body[pos + 3]} << 16) |
                                      (std::uint32_t{body[pos + 4]} << 8) | body[pos + 5];
            if (len > body.size() - pos - 6) {
                return fail(Errc::decode_error,
                            a.where() + ": attribute " + hex16(t) + " at offset " +
                                std::to_string(at) + " announces " + std::to_string(len) +
                                " octets, " + std::to_string(body.size() - pos - 6) + " left");
            }
            Attr attr{t, at, body.subspan(pos + 6, len)};
            pos += 6 + std::size_t{len};
            std::size_t const index = a.index_of(t);
            if (index == npos) {
                if ((t & critical_bit) != 0) {
                    return fail(Errc::decode_error, a.where() + ": unknown critical attribute " +
                                                        hex16(t) + " at offset " +
                                                        std::to_string(at));
                }
                continue;  // unknown, not critical: ignored (forward compatibility)
            }
            auto& slot = a.found_[index];
            if (slot.size() >= fields[index].max_count) {
                if (fields[index].max_count == 1) {
                    return fail(Errc::decode_error, a.name(attr) + ": duplicate attribute");
                }
                return fail(Errc::oversized, a.name(attr) + ": more than " +
                                                 std::to_string(fields[index].max_count) +
                                                 " elements");
            }
            slot.push_back(attr);
        }
        for (std::size_t i = 0; i < fields.size(); ++i) {
            if (fields[i].mandatory && a.found_[i].empty()) {
                return fail(Errc::decode_error,
                            a.where() + ": mandatory attribute " + hex16(fields[i].tag) + " (" +
                                std::string(fields[i].name) + ") missing (body at offset " +
                                std::to_string(base) + ")");
            }
        }
        return a;
    }

    std::span<Attr const> all(std::uint16_t t) const { return found_[index_of(t)]; }
    Attr const* one(std::uint16_t t) const {
        auto const& slot = found_[index_of(t)];
        return slot.empty() ? nullptr : &slot.front();
    }

    std::string name(Attr const& attr) const {
        std::size_t const i = index_of(attr.tag);
        std::string n = where() + ": attribute " + hex16(attr.tag);
        if (i != npos)
            n += " (" + std::string(fields_[i].name) + ")";
        return n + " at offset " + std::to_string(attr.offset);
    }
    Error error(Attr const& attr, std::string const& what) const {
        return Error{Errc::decode_error, name(attr) + ": " + what};
    }

    Result<void> get(std::uint16_t t, std::uint64_t& out, std::size_t width) const {
        Attr const* a = one(t);
        if (a == nullptr)
            return {};
        if (a->value.size() != width) {
            return error(*a, "length " + std::to_string(a->value.size()) + ", expected " +
                                 std::to_string(width));
        }
        std::uint64_t v = 0;
        for (auto b : a->value)
            v = (v << 8) | b;
        out = v;
        return {};
    }
    Result<void> get_u32(std::uint16_t t, std::uint32_t& out) const {
        std::uint64_t v = out;
        if (auto r = get(t, v, 4); !r)
            return r.error();
        out = static_cast<std::uint32_t>(v);
        return {};
    }
    Result<void> get_u64(std::uint16_t t, std::uint64_t& out) const { return get(t, out, 8); }
    Result<void> get_bool(std::uint16_t t, bool& out) const {
        std::uint64_t v = out ? 1 : 0;
        if (auto r = get(t, v, 1); !r)
            return r.error();
        if (v > 1)
            return error(*one(t), "boolean value " + std::to_string(v) + " is not 0 or 1");
        out = v == 1;
        return {};
    }
    template <class E>
    Result<void> get_enum(std::uint16_t t, E& out, std::uint64_t lo, std::uint64_t hi,
                          std::string_view type_name) const {
        std::uint64_t v = static_cast<std::uint64_t>(out);
        if (auto r = get(t, v, sizeof(std::underlying_type_t<E>)); !r)
            return r.error();
        if (v < lo || v > hi) {
            return error(*one(t),
                         "unknown " + std::string(type_name) + " value " + std::to_string(v));
        }
        out = static_cast<E>(v);
        return {};
    }
    Result<void> check_string(Attr const& a, std::size_t max) const {
        if (a.value.size() > max) {
            return Error{Errc::oversized, name(a) + ": string of " +
                                              std::to_string(a.value.size()) + " octets, at most " +
                                              std::to_string(max)};
        }
        if (auto bad = utf8_error_at(a.value); bad != std::string_view::npos) {
            return error(a, "not UTF-8 without NUL (octet " + std::to_string(bad) + ")");
        }
        return {};
    }
    Result<void> get_string(std::uint16_t t, std::string& out, std::size_t max) const {
        Attr const* a = one(t);
        if (a == nullptr)
            return {};
        if (auto r = check_string(*a, max); !r)
            return r.error();
        out.assign(as_chars(a->value));
        return {};
    }
    Result<void> get_strings(std::uint16_t t, std::vector<std::string>& out,
                             std::size_t max) const {
        for (auto const& a : all(t)) {
            if (auto r = check_string(a, max); !r)
                return r.error();
            out.emplace_back(as_chars(a.value));
        }
        return {};
    }
    void get_bytes(std::uint16_t t, Bytes& out) const {
        if (Attr const* a = one(t))
            out.assign(a->value.begin(), a->value.end());
    }
    void get_bytes_list(std::uint16_t t, std::vector<Bytes>& out) const {
        for (auto const& a : all(t))
            out.emplace_back(a.value.begin(), a.value.end());
    }

  private:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    Attrs(std::string_view context, Fields fields)
        : context_(context), fields_(fields), found_(fields.size()) {}
    std::size_t index_of(std::uint16_t t) const {
        for (std::size_t i = 0; i < fields_.size(); ++i) {
            if (fields_[i].tag == t)
                return i;
        }
        return npos;
    }
    std::string where() const { return "nss frame: " + std::string(context_); }

    std::string_view context_;
    Fields fields_;
    std::vector<std::vector<Attr>> found_;
};

#define NSS_TRY(expr)              \
    do {                           \
        if (auto r_ = (expr); !r_) \
            return r_.error();     \
    } while (false)

Result<void> get_result(Attrs const& a, ResultCode& out) {
    return a.get_enum(tag::result, out, 0, static_cast<std::uint64_t>(ResultCode::internal_error),
                      "ResultCode");
}
Result<void> get_scheme(Attrs const& a, SignatureScheme& out) {
    return a.get_enum(tag::scheme, out, 1, static_cast<std::uint64_t>(SignatureScheme::ed25519),
                      "SignatureScheme");
}
// The IKEv2 Identification Type numbers of IdentityType; the others (ID_KEY_ID 11, ...) are
// not (yet) lookup keys and are decode_error like any unknown enum value.
Result<void> get_identity_type(Attrs const& a, IdentityType& out) {
    NSS_TRY(a.get_enum(tag::identity_type, out, 1, static_cast<std::uint64_t>(IdentityType::x500dn),
                       "IdentityType"));
    switch (out) {
        case IdentityType::ipv4_addr:
        case IdentityType::fqdn:
        case IdentityType::user_fqdn:
        case IdentityType::ipv6_addr:
        case IdentityType::x500dn:
            return {};
    }
    return a.error(*a.one(tag::identity_type),
                   "unknown IdentityType value " + std::to_string(static_cast<unsigned>(out)));
}
Result<void> get_services(Attrs const& a, std::uint16_t t, Services& out) {
    std::uint32_t bits = 0;
    NSS_TRY(a.get_u32(t, bits));
    // Unknown bits are ignored: a newer peer's service this version does not know is simply
    // not requested / not granted.
    out.cert = (bits & services_cert) != 0;
    out.remote_mgmt = (bits & services_remote_mgmt) != 0;
    return {};
}

// --- body decoders ---------------------------------------------------------------------------

Result<Body> decode_body(MessageType type, ByteView body, std::size_t base) {
    auto parse = [&](std::string_view ctx, Fields fields) {
        return Attrs::parse(ctx, fields, body, base);
    };
    switch (type) {
        case MessageType::register_request: {
            auto a = parse("register_request", register_request_fields);
            if (!a)
                return a.error();
            RegisterRequest m;
            NSS_TRY(a->get_u32(tag::client_api_version, m.client_api_version));
            NSS_TRY(a->get_string(tag::client_name, m.client_name, max_name_size));
            NSS_TRY(a->get_string(tag::system_name, m.system_name, max_name_size));
            NSS_TRY(a->get_string(tag::stack_name, m.stack_name, max_name_size));
            NSS_TRY(a->get_string(tag::user_id, m.user_id, max_name_size));
            NSS_TRY(a->get_enum(tag::auth_method, m.auth_method, 1,
                                static_cast<std::uint64_t>(AuthMethod::passticket), "AuthMethod"));
            NSS_TRY(a->get_string(tag::credential, m.credential, max_name_size));
            NSS_TRY(get_services(*a, tag::services, m.services));
            return Body{std::move(m)};
        }
        case MessageType::register_reply: {
            auto a = parse("register_reply", register_reply_fields);
            if (!a)
                return a.error();
            RegisterReply m;
            NSS_TRY(get_result(*a, m.result));
            NSS_TRY(a->get_string(tag::reason, m.reason, max_text_size));
            NSS_TRY(a->get_u32(tag::server_api_version, m.server_api_version));
            NSS_TRY(a->get_string(tag::server_system_name, m.server_system_name, max_name_size));
            NSS_TRY(get_services(*a, tag::granted, m.granted));
            NSS_TRY(a->get_string(tag::cert_denial, m.cert_denial, max_text_size));
            NSS_TRY(a->get_string(tag::remote_mgmt_denial, m.remote_mgmt_denial, max_text_size));
            NSS_TRY(a->get_u64(tag::connection_id, m.connection_id));
            return Body{std::move(m)};
        }
        case MessageType::sign_request: {
            auto a = parse("sign_request", sign_request_fields);
            if (!a)
                return a.error();
            SignRequest m;
            NSS_TRY(a->get_string(tag::label, m.label, max_name_size));
            NSS_TRY(get_scheme(*a, m.scheme));
            a->get_bytes(tag::data, m.data);
            return Body{std::move(m)};
        }
        case MessageType::sign_reply: {
            auto a = parse("sign_reply", sign_reply_fields);
            if (!a)
                return a.error();
            SignReply m;
            NSS_TRY(get_result(*a, m.result));
            NSS_TRY(a->get_string(tag::reason, m.reason, max_text_size));
            a->get_bytes(tag::signature, m.signature);
            return Body{std::move(m)};
        }
        case MessageType::verify_request: {
            auto a = parse("verify_request", verify_request_fields);
            if (!a)
                return a.error();
            VerifyRequest m;
            NSS_TRY(get_scheme(*a, m.scheme));
            a->get_bytes(tag::data, m.data);
            a->get_bytes(tag::signature, m.signature);
            a->get_bytes_list(tag::chain_certificate, m.chain);
            return Body{std::move(m)};
        }
        case MessageType::verify_reply: {
            auto a = parse("verify_reply", verify_reply_fields);
            if (!a)
                return a.error();
            VerifyReply m;
            NSS_TRY(get_result(*a, m.result));
            NSS_TRY(a->get_string(tag::reason, m.reason, max_text_size));
            NSS_TRY(a->get_string(tag::subject, m.subject, max_text_size));
            return Body{std::move(m)};
        }
        case MessageType::cert_request: {
            auto a = parse("cert_request", cert_request_fields);
            if (!a)
                return a.error();
            CertificateRequest m;
            NSS_TRY(a->get_string(tag::label, m.label, max_name_size));
            NSS_TRY(a->get_bool(tag::include_ca, m.include_ca));
            if (Attr const* id = a->one(tag::identity)) {
                auto i = Attrs::parse("cert_request.identity", identity_fields, id->value,
                                      id->offset + 6);
                if (!i)
                    return i.error();
                CertificateIdentity identity;
                NSS_TRY(get_identity_type(*i, identity.type));
                NSS_TRY(i->get_string(tag::identity_value, identity.value, max_text_size));
                m.identity = std::move(identity);
            }
            return Body{std::move(m)};
        }
        case MessageType::cert_reply: {
            auto a = parse("cert_reply", cert_reply_fields);
            if (!a)
                return a.error();
            CertificateReply m;
            NSS_TRY(get_result(*a, m.result));
            NSS_TRY(a->get_string(tag::reason, m.reason, max_text_size));
            for (auto const& entry : a->all(tag::certificate)) {
                auto e = Attrs::parse("cert_reply.certificate", certificate_entry_fields,
                                      entry.value, entry.offset + 6);
                if (!e)
                    return e.error();
                CertificateEntry c;
                NSS_TRY(e->get_string(tag::entry_label, c.label, max_name_size));
                NSS_TRY(e->get_bool(tag::entry_is_ca, c.is_ca));
                e->get_bytes(tag::entry_der, c.der);
                m.certificates.push_back(std::move(c));
            }
            return Body{std::move(m)};
        }
        case MessageType::mgmt_request: {
            auto a = parse("mgmt_request", mgmt_request_fields);
            if (!a)
                return a.error();
            MgmtRequest m;
            NSS_TRY(a->get_enum(tag::command, m.command, 1,
                                static_cast<std::uint64_t>(MgmtCommand::policy_reload),
                                "MgmtCommand"));
            NSS_TRY(a->get_string(tag::target, m.target, max_name_size));
            NSS_TRY(a->get_string(tag::requester, m.requester, max_name_size));
            return Body{std::move(m)};
        }
        case MessageType::mgmt_reply: {
            auto a = parse("mgmt_reply", mgmt_reply_fields);
            if (!a)
                return a.error();
            MgmtReply m;
            NSS_TRY(get_result(*a, m.result));
            NSS_TRY(a->get_string(tag::reason, m.reason, max_text_size));
            NSS_TRY(a->get_strings(tag::line, m.lines, max_text_size));
            return Body{std::move(m)};
        }
        case MessageType::keepalive: {
            auto a = parse("keepalive", Fields{});
            if (!a)
                return a.error();
            return Body{Keepalive{}};
        }
        case MessageType::keepalive_ack: {
            auto a = parse("keepalive_ack", Fields{});
            if (!a)
                return a.error();
            return Body{KeepaliveAck{}};
        }
        case MessageType::close: {
            auto a = parse("close", close_fields);
            if (!a)
                return a.error();
            Close m;
            NSS_TRY(a->get_string(tag::reason, m.reason, max_text_size));
            return Body{std::move(m)};
        }
        case MessageType::error: {
            auto a = parse("error", error_fields);
            if (!a)
                return a.error();
            ErrorReply m;
            NSS_TRY(get_result(*a, m.result));
            NSS_TRY(a->get_string(tag::reason, m.reason, max_text_size));
            NSS_TRY(a->get_bool(tag::fatal, m.fatal));
            return Body{std::move(m)};
        }
    }
    return fail(Errc::unknown_type, "nss frame: unknown message type");
}

bool known_type(std::uint8_t code) {
    for (auto t : type_codes) {
        if (static_cast<std::uint8_t>(t) == code)
            return true;
    }
    return false;
}

// --- encoder ---------------------------------------------------------------------------------

class BodyWriter {
  public:
    explicit BodyWriter(Bytes& out) : w_(out) {}
    void raw(std::uint16_t t, ByteView v) {
        w_.u16(t);
        w_.u32(static_cast<std::uint32_t>(v.size()));
        w_.bytes(v);
    }
    void u8(std::uint16_t t, std::uint8_t v) {
        std::uint8_t const b[] = {v};
        raw(t, b);
    }
    void u16(std::uint16_t t, std::uint16_t v) {
        w_.u16(t);
        w_.u32(2);
        w_.u16(v);
    }
    void u32(std::uint16_t t, std::uint32_t v) {
        w_.u16(t);
        w_.u32(4);
        w_.u32(v);
    }
    void u64(std::uint16_t t, std::uint64_t v) {
        w_.u16(t);
        w_.u32(8);
        w_.u64(v);
    }
    void boolean(std::uint16_t t, bool v) { u8(t, v ? 1 : 0); }
    void str(std::uint16_t t, std::string_view v) { raw(t, as_bytes(v)); }
    // Optional attributes are left out when empty (the decoder's default).
    void opt_str(std::uint16_t t, std::string_view v) {
        if (!v.empty())
            str(t, v);
    }
    void result(ResultCode r) { u16(tag::result, static_cast<std::uint16_t>(r)); }
    void services(std::uint16_t t, Services s) {
        u32(t, (s.cert ? services_cert : 0u) | (s.remote_mgmt ? services_remote_mgmt : 0u));
    }

    void operator()(RegisterRequest const& m) {
        u32(tag::client_api_version, m.client_api_version);
        str(tag::client_name, m.client_name);
        str(tag::system_name, m.system_name);
        str(tag::stack_name, m.stack_name);
        str(tag::user_id, m.user_id);
        u8(tag::auth_method, static_cast<std::uint8_t>(m.auth_method));
        str(tag::credential, m.credential);
        services(tag::services, m.services);
    }
    void operator()(RegisterReply const& m) {
        result(m.result);
        opt_str(tag::reason, m.reason);
        u32(tag::server_api_version, m.server_api_version);
        str(tag::server_system_name, m.server_system_name);
        services(tag::granted, m.granted);
        opt_str(tag::cert_denial, m.cert_denial);
        opt_str(tag::remote_mgmt_denial, m.remote_mgmt_denial);
        u64(tag::connection_id, m.connection_id);
    }
    void operator()(SignRequest const& m) {
        str(tag::label, m.label);
        u8(tag::scheme, static_cast<std::uint8_t>(m.scheme));
        raw(tag::data, m.data);
    }
    void operator()(SignReply const& m) {
        result(m.result);
        opt_str(tag::reason, m.reason);
        if (!m.signature.empty())
            raw(tag::signature, m.signature);
    }
    void operator()(VerifyRequest const& m) {
        u8(tag::scheme, static_cast<std::uint8_t>(m.scheme));
        raw(tag::data, m.data);
        raw(tag::signature, m.signature);
        for (auto const& der : m.chain)
            raw(tag::chain_certificate, der);
    }
    void operator()(VerifyReply const& m) {
        result(m.result);
        opt_str(tag::reason, m.reason);
        opt_str(tag::subject, m.subject);
    }
    void operator()(CertificateRequest const& m) {
        str(tag::label, m.label);
        boolean(tag::include_ca, m.include_ca);
        if (m.identity) {
            Bytes nested;
            BodyWriter n(nested);
            n.u8(tag::identity_type, static_cast<std::uint8_t>(m.identity->type));
            n.str(tag::identity_value, m.identity->value);
            raw(tag::identity, nested);
        }
    }
    void operator()(CertificateReply const& m) {
        result(m.result);
        opt_str(tag::reason, m.reason);
        for (auto const& c : m.certificates) {
            Bytes nested;
            BodyWriter n(nested);
            n.str(tag::entry_label, c.label);
            n.boolean(tag::entry_is_ca, c.is_ca);
            n.raw(tag::entry_der, c.der);
            raw(tag::certificate, nested);
        }
    }
    void operator()(MgmtRequest const& m) {
        u8(tag::command, static_cast<std::uint8_t>(m.command));
        opt_str(tag::target, m.target);
        str(tag::requester, m.requester);
    }
    void operator()(MgmtReply const& m) {
        result(m.result);
        opt_str(tag::reason, m.reason);
        for (auto const& l : m.lines)
            str(tag::line, l);
    }
    void operator()(Keepalive const&) {}
    void operator()(KeepaliveAck const&) {}
    void operator()(Close const& m) { opt_str(tag::reason, m.reason); }
    void operator()(ErrorReply const& m) {
        result(m.result);
        opt_str(tag::reason, m.reason);
        boolean(tag::fatal, m.fatal);
    }

  private:
    ByteWriter w_;
};

std::uint32_t load_u32(std::uint8_t const* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           p[3];
}

}  // namespace

Bytes encode(Message const& message) {
    Bytes out;
    ByteWriter w(out);
    w.u16(frame_magic);
    w.u8(protocol_version);
    w.u8(static_cast<std::uint8_t>(type_codes[message.body.index()]));
    w.u32(message.request_id);
    w.u32(0);  // body length, patched below
    BodyWriter body(out);
    std::visit(body, message.body);
    std::size_t const body_size = out.size() - header_size;
    NSSLAB_ASSERT(body_size <= 0xFFFFFFFFu, "nss frame body exceeds 32-bit length");
    w.patch_u32(8, static_cast<std::uint32_t>(body_size));
    return out;
}

Result<Message> decode(ByteView frame, std::size_t max_body) {
    if (frame.size() < header_size) {
        return fail(Errc::truncated, "nss frame: header needs 12 octets, have " +
                                         std::to_string(frame.size()) + " (offset 0)");
    }
    auto const magic = static_cast<std::uint16_t>((frame[0] << 8) | frame[1]);
    if (magic != frame_magic) {
        return fail(Errc::decode_error, "nss frame: bad magic " + hex16(magic) + " at offset 0");
    }
    if (frame[2] != protocol_version) {
        return fail(Errc::decode_error, "nss frame: unsupported protocol version " +
                                            std::to_string(frame[2]) + " at offset 2 (speaks " +
                                            std::to_string(protocol_version) + ")");
    }
    std::uint32_t const body_size = load_u32(frame.data() + 8);
    if (body_size > max_body) {
        return fail(Errc::oversized, "nss frame: body length " + std::to_string(body_size) +
                                         " at offset 8 exceeds the limit " +
                                         std::to_string(max_body));
    }
    if (frame.size() - header_size < body_size) {
        return fail(Errc::truncated,
                    "nss frame: body needs " + std::to_string(body_size) + " octets, have " +
                        std::to_string(frame.size() - header_size) + " (offset 12)");
    }
    if (frame.size() - header_size > body_size) {
        return fail(Errc::decode_error,
                    "nss frame: " + std::to_string(frame.size() - header_size - body_size) +
                        " octets after the body at offset " +
                        std::to_string(header_size + body_size));
    }
    if (!known_type(frame[3])) {
        return fail(Errc::unknown_type,
                    "nss frame: unknown message type " + hex8(frame[3]) + " at offset 3");
    }
    auto body =
        decode_body(static_cast<MessageType>(frame[3]), frame.subspan(header_size), header_size);
    if (!body)
        return body.error();
    return Message{load_u32(frame.data() + 4), std::move(*body)};
}

Result<void> FrameReader::feed(ByteView bytes) {
    if (poisoned_) {
        return fail(Errc::state_error, "nss frame reader: poisoned by an earlier error");
    }
    if (bytes.size() > buffer_limit() - buffered()) {
        return fail(Errc::limit_exceeded,
                    "nss frame reader: " + std::to_string(buffered()) + " octets buffered, " +
                        std::to_string(bytes.size()) + " more would exceed " +
                        std::to_string(buffer_limit()) + "; drain next() first");
    }
    // Compact once the consumed prefix is at least as large as what remains (amortized linear).
    if (head_ > 0 && head_ >= buffered()) {
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(head_));
        scan_ -= head_;
        head_ = 0;
    }
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    // Validate every header as soon as its octets arrive: a bad magic or an oversized length
    // poisons the reader before the body is buffered.
    while (buffer_.size() - scan_ >= 2) {
        std::uint8_t const* p = buffer_.data() + scan_;
        auto const magic = static_cast<std::uint16_t>((p[0] << 8) | p[1]);
        if (magic != frame_magic) {
            poisoned_ = true;
            return fail(Errc::decode_error, "nss frame reader: bad magic " + hex16(magic) +
                                                " at stream offset " + std::to_string(scan_));
        }
        if (buffer_.size() - scan_ < header_size)
            break;
        std::uint32_t const body_size = load_u32(p + 8);
        if (body_size > max_body_) {
            poisoned_ = true;
            return fail(Errc::oversized, "nss frame reader: body length " +
                                             std::to_string(body_size) + " exceeds the limit " +
                                             std::to_string(max_body_));
        }
        if (buffer_.size() - scan_ - header_size < body_size)
            break;
        scan_ += header_size + body_size;
    }
    return {};
}

std::optional<Result<Message>> FrameReader::next() {
    if (poisoned_ || head_ == scan_)
        return std::nullopt;
    std::size_t const size = header_size + load_u32(buffer_.data() + head_ + 8);
    auto result = decode(ByteView(buffer_).subspan(head_, size), max_body_);
    head_ += size;
    if (head_ == buffer_.size()) {
        buffer_.clear();
        head_ = 0;
        scan_ = 0;
    }
    return result;
}

}  // namespace nsslab::wire_nss
