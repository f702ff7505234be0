// NssServer: the IPSec certificate service (zos-nss-facts.md §4): SignRequest with a key-ring
// certificate (EZB.NSSCERT.sysname.mappedlabel.HOST), VerifyRequest against the ring's CERTAUTH
// certificates the client may use (EZB.NSSCERT.sysname.mappedlabel.CERTAUTH), and
// CertificateRequest. docs/nss-server.md "Certificate service".
#include <string>

#include "nsslab/base/text.hpp"
#include "nsslab/crypto/signature.hpp"
#include "nsslab/crypto/x509_verify.hpp"
#include "nsslab/nss/certificate_identity.hpp"
#include "nsslab/nss/nss_server.hpp"

namespace nsslab::nss {

namespace wn = wire_nss;

namespace {

inline constexpr std::size_t verify_chain_certificates_max = 10;

crypto::SignatureScheme to_crypto(wn::SignatureScheme scheme) {
    switch (scheme) {
        case wn::SignatureScheme::rsa_pkcs1_sha256:
            return crypto::SignatureScheme::rsa_pkcs1_sha256;
        case wn::SignatureScheme::rsa_pkcs1_sha384:
            return crypto::SignatureScheme::rsa_pkcs1_sha384;
        case wn::SignatureScheme::rsa_pkcs1_sha512:
            return crypto::SignatureScheme::rsa_pkcs1_sha512;
        case wn::SignatureScheme::rsa_pss_sha256:
            return crypto::SignatureScheme::rsa_pss_sha256;
        case wn::SignatureScheme::rsa_pss_sha384:
            return crypto::SignatureScheme::rsa_pss_sha384;
        case wn::SignatureScheme::rsa_pss_sha512:
            return crypto::SignatureScheme::rsa_pss_sha512;
        case wn::SignatureScheme::ecdsa_sha256:
            return crypto::SignatureScheme::ecdsa_sha256;
        case wn::SignatureScheme::ecdsa_sha384:
            return crypto::SignatureScheme::ecdsa_sha384;
        case wn::SignatureScheme::ecdsa_sha512:
            return crypto::SignatureScheme::ecdsa_sha512;
        case wn::SignatureScheme::ed25519:
            return crypto::SignatureScheme::ed25519;
    }
    return crypto::SignatureScheme::ecdsa_sha256;
}

}  // namespace

zos::RacfAccessDecision const& NssServer::connection_servauth(Connection& c, std::string_view kind,
                                                              std::string_view label) {
    auto& memo = c.servauth_memo;
    if (c.servauth_generation != racf_.generation()) {
        memo.clear();
        c.servauth_generation = racf_.generation();
    }
    for (auto const& m : memo) {
        if (m.kind == kind && m.label == label) {
            log_servauth_check(m.decision);
            return m.decision;
        }
    }
    std::string resource = kind == "CERT" ? "EZB.NSS." + ascii_upper(options_.system_name) + "." +
                                                ascii_upper(c.info.client_name) + ".IPSEC.CERT"
                                          : nsscert_profile(label, kind);
    auto decision = check_servauth(c.info.user_id, resource);
    if (memo.size() >= servauth_memo_max)
        memo.erase(memo.begin());
    memo.push_back(ServauthMemo{std::string(kind), std::string(label), std::move(decision)});
    return memo.back().decision;
}

std::optional<std::pair<wn::ResultCode, std::string>> NssServer::cert_service_refusal(
    Connection& c) {
    if (c.version_mismatch)
        return std::pair{wn::ResultCode::version_mismatch,
                         std::string("API version mismatch: no NSS services on this connection")};
    if (!c.info.registered)
        return std::pair{wn::ResultCode::not_registered,
                         std::string("the connection has not registered an NSS client")};
    if (!c.info.granted.cert)
        return std::pair{wn::ResultCode::service_not_granted,
                         "the certificate service was not " +
                             std::string(c.info.requested.cert ? "granted to " : "requested by ") +
                             c.info.client_name};
    // Checked again before every request (DESIGN.md §1: "before every service"), so a
    // PERMIT ... DELETE takes effect without a reconnect (in a RACLISTed class, at the refresh).
    auto const& d = connection_servauth(c, "CERT", {});
    if (!d.allowed)
        return std::pair{
            wn::ResultCode::not_authorized,
            c.info.user_id + " is no longer authorized to " + d.resource + ": " + d.reason};
    return std::nullopt;
}

std::string NssServer::nsscert_profile(std::string_view label, std::string_view kind) const {
    return "EZB.NSSCERT." + ascii_upper(options_.system_name) + "." + options_.label_mapper(label) +
           "." + std::string(kind);
}

void NssServer::on_sign(Connection& c, std::uint32_t id, wn::SignRequest const& req,
                        TimePoint /*now*/) {
    Event ev("nssd.sign");
    ev.fields.reserve(8);  // the six below, result and reason
    ev.with("conn", c.info.conn_number)
        .with("client", c.info.client_name)
        .with("user", c.info.user_id)
        .with("label", req.label)
        .with("scheme", wn::to_string(req.scheme))
        .with("data_octets", req.data.size());
    auto answer = [&](wn::ResultCode code, std::string reason) {
        ev.with("result", wn::to_string(code)).with("reason", reason);
        emit(std::move(ev));
        send(c, wn::Message{id, wn::SignReply{code, std::move(reason), {}}});
    };
    if (auto refusal = cert_service_refusal(c)) {
        answer(refusal->first, refusal->second);
        return;
    }
    auto ring = nss_ring();
    if (!ring) {
        answer(wn::ResultCode::unknown_label, "no KeyRing is configured in nssd.conf");
        return;
    }
    auto rc = key_rings_.ring_certificate(*ring, req.label);
    if (!rc) {
        answer(wn::ResultCode::unknown_label,
               "no certificate labelled '" + req.label + "' on key ring " + ring->to_string());
        return;
    }
    if (rc->usage == zos::CertUsage::certauth) {
        answer(wn::ResultCode::unknown_label, "certificate '" + req.label +
                                                  "' is connected to key ring " +
                                                  ring->to_string() + " with usage CERTAUTH");
        return;
    }
    auto const* key = rc->private_key();
    if (key == nullptr) {
        answer(wn::ResultCode::unknown_label, "certificate '" + req.label + "' has no private key");
        return;
    }
    auto const& d = connection_servauth(c, "HOST", req.label);
    if (!d.allowed) {
        answer(wn::ResultCode::not_authorized,
               c.info.user_id + " is not authorized to " + d.resource + ": " + d.reason);
        return;
    }
    auto scheme = to_crypto(req.scheme);
    if (crypto::key_algorithm_for(scheme) != key->algorithm()) {
        answer(wn::ResultCode::bad_request, "scheme " + std::string(wn::to_string(req.scheme)) +
                                                " does not fit the " + key->algorithm_name() +
                                                " key of certificate '" + req.label + "'");
        return;
    }
    NSSLAB_ASSERT(c.info.registered && c.info.granted.cert && !c.version_mismatch && d.allowed,
                  "NssServer: a signature only for a registered Cert client with HOST access");
    if (options_.limits.sign_jobs_max == 0) {
        answer_sign(c, id, std::move(ev), crypto::sign(*key, scheme, req.data));
        return;
    }
    std::uint64_t const job = next_sign_job_++;
    ++c.outstanding;  // until complete_request()
    signing_.emplace(job, PendingSign{c.id, c.info.conn_number, id, std::move(ev)});
    sign_jobs_.push_back(SignJob{job, *key, scheme, req.data});
}

void NssServer::answer_sign(Connection& c, std::uint32_t id, Event event, Result<Bytes> signature) {
    wn::SignReply reply{wn::ResultCode::ok, {}, {}};
    if (signature) {
        reply.signature = std::move(*signature);
    } else {
        reply.result = wn::ResultCode::crypto_error;
        reply.reason = "signing failed: " + std::string(to_string(signature.error().code));
    }
    event.with("result", wn::to_string(reply.result)).with("reason", reply.reason);
    emit(std::move(event));
    send(c, wn::Message{id, std::move(reply)});
}

std::optional<SignJob> NssServer::poll_request() {
    if (sign_jobs_.empty())
        return std::nullopt;
    SignJob job = std::move(sign_jobs_.front());
    sign_jobs_.pop_front();
    return job;
}

void NssServer::complete_request(std::uint64_t id, Result<Bytes> signature, TimePoint now) {
    auto it = signing_.find(id);
    NSSLAB_ASSERT(it != signing_.end(), "NssServer::complete_request: not a job handed out");
    PendingSign pending = std::move(it->second);
    signing_.erase(it);
    auto* c = find(pending.conn);
    if (c != nullptr && c->info.conn_number == pending.conn_number) {
        NSSLAB_ASSERT(c->outstanding > 0, "NssServer: a job in flight counts as outstanding");
        --c->outstanding;
        answer_sign(*c, pending.request_id, std::move(pending.event), std::move(signature));
        if (!c->doom_reason.empty()) {
            std::string why = c->doom_reason;
            flush(*c);
            close_connection(pending.conn, why, false, now);
        } else if (unflushed_.empty() || unflushed_.back().first != c->id) {
            // Flushed by the next poll_transmit(): the replies of a batch of completions
            // leave in one TLS write.
            unflushed_.emplace_back(c->id, c->info.conn_number);
        }
    } else {
        pending.event.with("result", "dropped")
            .with("reason", "the connection closed while the signature was made");
        emit(std::move(pending.event));
    }
    run_queue(now);  // a request may have waited for a free job
}

std::vector<NssServer::AllowedCa> NssServer::allowed_cas(Connection& c) {
    std::vector<AllowedCa> out;
    auto ring = nss_ring();
    if (!ring)
        return out;
    auto all = key_rings_.ring_certificates(*ring);
    if (!all)
        return out;
    for (auto const& rc : *all) {
        if (rc.usage != zos::CertUsage::certauth)
            continue;
        if (rc.stored->trust == zos::CertTrust::notrust)
            continue;
        auto const& d = connection_servauth(c, "CERTAUTH", rc.label());
        if (d.allowed)
            out.push_back(AllowedCa{rc.label(), rc.certificate()});
    }
    return out;
}

void NssServer::on_verify(Connection& c, std::uint32_t id, wn::VerifyRequest const& req,
                          TimePoint now) {
    Event ev("nssd.verify");
    ev.with("conn", c.info.conn_number)
        .with("client", c.info.client_name)
        .with("user", c.info.user_id)
        .with("scheme", wn::to_string(req.scheme))
        .with("chain_length", req.chain.size());
    auto answer = [&](wn::ResultCode code, std::string reason, std::string subject = {}) {
        ev.with("result", wn::to_string(code)).with("reason", reason).with("subject", subject);
        emit(std::move(ev));
        send(c, wn::Message{id, wn::VerifyReply{code, std::move(reason), std::move(subject)}});
    };
    if (auto refusal = cert_service_refusal(c)) {
        answer(refusal->first, refusal->second);
        return;
    }
    if (req.chain.empty() || req.chain.size() > verify_chain_certificates_max) {
        answer(wn::ResultCode::bad_request, "the chain must hold 1-10 certificates");
        return;
    }
    std::vector<crypto::Certificate> certs;
    for (std::size_t i = 0; i < req.chain.size(); ++i) {
        auto cert = crypto::Certificate::load_der(&lib_, req.chain[i]);
        if (!cert) {
            answer(wn::ResultCode::bad_request,
                   "chain[" + std::to_string(i) + "] is not a DER X.509 certificate");
            return;
        }
        certs.push_back(std::move(*cert));
    }
    auto const& leaf = certs.front();
    auto scheme = to_crypto(req.scheme);
    if (crypto::key_algorithm_for(scheme) != leaf.public_key_algorithm()) {
        answer(wn::ResultCode::bad_request, "scheme " + std::string(wn::to_string(req.scheme)) +
                                                " does not fit the key of " +
                                                leaf.subject_string());
        return;
    }
    auto sig_ok = crypto::verify(leaf, scheme, req.data, req.signature);
    if (!sig_ok) {
        if (sig_ok.error().code == Errc::auth_failed)
            answer(
                wn::ResultCode::verify_failed,
                "the signature does not verify with the certificate of " + leaf.subject_string());
        else
            answer(wn::ResultCode::crypto_error,
                   "signature verification failed: " + sig_ok.error().message);
        return;
    }
    crypto::VerifyRequest vr;
    vr.leaf = leaf;
    vr.intermediates.assign(certs.begin() + 1, certs.end());
    for (auto& ca : allowed_cas(c))
        vr.trust_anchors.push_back(std::move(ca.certificate));
    if (vr.trust_anchors.empty()) {
        answer(wn::ResultCode::verify_failed,
               "no CERTAUTH certificate on the NSS key ring that " + c.info.user_id +
                   " may use (EZB.NSSCERT." + ascii_upper(options_.system_name) + ".*.CERTAUTH)");
        return;
    }
    for (auto const& crl : options_.crls)
        if (crl.issuer() == leaf.issuer())
            vr.crls.push_back(crl);
    vr.at_time = now;
    auto outcome = crypto::verify_chain_detailed(&lib_, vr);
    if (!outcome.ok()) {
        answer(wn::ResultCode::verify_failed,
               "certificate chain of " + leaf.subject_string() +
                   " not valid: " + std::string(crypto::to_string(outcome.status)) + ": depth " +
                   std::to_string(outcome.error_depth) + ": " + outcome.reason);
        return;
    }
    answer(wn::ResultCode::ok, {}, leaf.subject_string());
}

void NssServer::on_certificates(Connection& c, std::uint32_t id, wn::CertificateRequest const& req,
                                TimePoint /*now*/) {
    Event ev("nssd.certificates");
    ev.with("conn", c.info.conn_number)
        .with("client", c.info.client_name)
        .with("user", c.info.user_id)
        .with("label", req.label)
        .with("include_ca", req.include_ca);
    if (req.identity)
        ev.with("identity_type", wn::to_string(req.identity->type))
            .with("identity", req.identity->value);
    wn::CertificateReply reply;
    auto answer = [&](wn::ResultCode code, std::string reason) {
        reply.result = code;
        reply.reason = std::move(reason);
        if (code != wn::ResultCode::ok)
            reply.certificates.clear();
        ev.with("result", wn::to_string(code))
            .with("reason", reply.reason)
            .with("count", reply.certificates.size());
        emit(std::move(ev));
        send(c, wn::Message{id, std::move(reply)});
    };
    if (auto refusal = cert_service_refusal(c)) {
        answer(refusal->first, refusal->second);
        return;
    }
    std::optional<CertificateIdentityMatcher> matcher;
    if (req.identity) {
        if (!req.label.empty()) {
            answer(wn::ResultCode::bad_request,
                   "a cert_request names a label or an identity, not both (label '" + req.label +
                       "')");
            return;
        }
        auto m = CertificateIdentityMatcher::make(*req.identity);
        if (!m) {
            answer(wn::ResultCode::bad_request, m.error().message);
            return;
        }
        matcher = std::move(*m);
    }
    auto ring = nss_ring();
    if (!ring) {
        answer(wn::ResultCode::unknown_label, "no KeyRing is configured in nssd.conf");
        return;
    }
    std::string note;  // entries left out of an ok reply
    if (matcher) {
        auto found = personal_certificates_for(c, *ring, *matcher);
        if (found.result != wn::ResultCode::ok) {
            answer(found.result, std::move(found.reason));
            return;
        }
        reply.certificates = std::move(found.certificates);
        note = std::move(found.reason);
    } else if (!req.label.empty()) {
        auto rc = key_rings_.ring_certificate(*ring, req.label);
        if (!rc || rc->usage == zos::CertUsage::certauth) {
            answer(wn::ResultCode::unknown_label, "no personal certificate labelled '" + req.label +
                                                      "' on key ring " + ring->to_string());
            return;
        }
        auto const& d = connection_servauth(c, "HOST", req.label);
        if (!d.allowed) {
            answer(wn::ResultCode::not_authorized,
                   c.info.user_id + " is not authorized to " + d.resource + ": " + d.reason);
            return;
        }
        reply.certificates.push_back({rc->label(), false, rc->certificate().to_der()});
    }
    std::size_t left_out = 0;
    if (req.include_ca) {
        for (auto const& ca : allowed_cas(c)) {
            if (reply.certificates.size() < wn::max_certificate_entries)
                reply.certificates.push_back({ca.label, true, ca.certificate.to_der()});
            else
                ++left_out;
        }
    }
    // A reply holds at most max_certificate_entries (the peer rejects more); personal
    // certificates come first.
    if (left_out != 0)
        note += (note.empty() ? "" : "; ") + std::to_string(left_out) +
                " CA certificates not returned (at most " +
                std::to_string(wn::max_certificate_entries) + " entries)";
    answer(wn::ResultCode::ok, std::move(note));
}

NssServer::IdentityLookup NssServer::personal_certificates_for(
    Connection& c, zos::RingId const& ring, CertificateIdentityMatcher const& matcher) {
    IdentityLookup found;
    auto refuse = [&](wn::ResultCode code, std::string reason) {
        found.result = code;
        found.reason = std::move(reason);
        found.certificates.clear();
        return found;
    };
    auto& out = found.certificates;
    auto all = key_rings_.ring_certificates(ring);
    if (!all)
        return refuse(wn::ResultCode::unknown_label, all.error().message);
    std::size_t without_key = 0;
    std::size_t left_out = 0;
    std::vector<std::string> denied;  // the HOST profiles that refused a matching certificate
    for (auto const& rc : *all) {
        // Personal (and SITE) certificates, as sign_request accepts them, with the private key
        // a signature needs; the HOST check only for those that match (one DBG0032I each).
        if (rc.usage == zos::CertUsage::certauth || !matcher.matches(rc.certificate()))
            continue;
        if (rc.private_key() == nullptr) {
            ++without_key;
            continue;
        }
        auto const& d = connection_servauth(c, "HOST", rc.label());
        if (!d.allowed) {
            denied.push_back(d.resource);
            continue;
        }
        if (out.size() < wn::max_certificate_entries)
            out.push_back({rc.label(), false, rc.certificate().to_der()});
        else
            ++left_out;
    }
    if (!out.empty()) {
        if (left_out != 0)
            found.reason = std::to_string(left_out) +
                           " matching certificates not returned (at most " +
                           std::to_string(wn::max_certificate_entries) + " entries)";
        return found;
    }
    if (!denied.empty()) {
        // At most four profiles named: the reason must fit a reply (wire_nss::max_text_size).
        constexpr std::size_t named_max = 4;
        std::string profiles;
        for (std::size_t i = 0; i < denied.size() && i < named_max; ++i)
            profiles += (i == 0 ? "" : ", ") + denied[i];
        if (denied.size() > named_max)
            profiles += " and " + std::to_string(denied.size() - named_max) + " more";
        return refuse(wn::ResultCode::not_authorized,
                      c.info.user_id + " is not authorized to the certificate" +
                          (denied.size() == 1 ? "" : "s") + " matching identity " +
                          matcher.describe() + ": " + profiles);
    }
    return refuse(wn::ResultCode::unknown_label,
                  "no personal certificate on key ring " + ring.to_string() + " matches identity " +
                      matcher.describe() +
                      (without_key == 0 ? std::string()
                                        : " (" + std::to_string(without_key) +
                                              " matching without a private key)"));
}

}  // namespace nsslab::nss
