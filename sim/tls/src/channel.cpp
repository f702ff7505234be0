#include "nsslab/tls/channel.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <cstdio>
#include <deque>

#include "certificate_info.hpp"
#include "libctx_access.hpp"
#include "nsslab/crypto/openssl_error.hpp"

namespace nsslab::tls {

static_assert(core::ByteCore<Channel>);

using State = Channel::State;

struct Channel::Impl {
    bool client{false};
    SSL_CTX* ctx{nullptr};
    SSL* ssl{nullptr};
    BIO* rbio{nullptr};  // network → OpenSSL (owned by ssl)
    BIO* wbio{nullptr};  // OpenSSL → network (owned by ssl)
    State state{State::handshaking};
    std::string failure;
    Bytes unsent;                    // application data not yet given to SSL_write
    Bytes received;                  // decrypted application data not yet taken
    std::deque<std::string> keylog;  // at most a handshake's lines (5 in TLS 1.3) until polled
    // One per state change: at most 3 in a channel's life (established, closed, failed).
    std::deque<Event> events;
    std::size_t max_unsent{default_max_unsent_plaintext};
    std::uint64_t stream_offset{0};  // bytes received so far (server plain-text check)
    bool close_notify_received{false};
    // Client side: identity check inputs and its outcome.
    std::optional<ServerIdentity> expected_identity;
    IpAddress server_address;
    std::string identity_failure;
    std::optional<CertificateInfo> peer;

    ~Impl() {
        SSL_free(ssl);  // frees both BIOs
        SSL_CTX_free(ctx);
    }

    void fail_with(std::string reason) {
        NSSLAB_ASSERT(state != State::failed, "a failed channel fails only once");
        NSSLAB_ASSERT(!reason.empty(), "a failed channel says why");
        state = State::failed;
        failure = std::move(reason);
        unsent.clear();
        events.push_back(Event("tls.failed").with("reason", failure));
    }

    // established -> closed, or handshaking -> closed (close() before the handshake ended).
    void closed_by(char const* side) {
        NSSLAB_ASSERT(state == State::established || state == State::handshaking,
                      "only an open channel closes");
        state = State::closed;
        unsent.clear();
        events.push_back(Event("tls.closed").with("by", side));
    }

    void fail_ssl(std::string_view what) {
        std::string reason = crypto::drain_openssl_errors(what);
        if (client) {
            long const verify = SSL_get_verify_result(ssl);
            if (!identity_failure.empty()) {
                reason = identity_failure + " (" + reason + ")";
            } else if (verify != X509_V_OK) {
                reason = "certificate verification failed: " +
                         std::string(X509_verify_cert_error_string(verify)) + " (X509 error " +
                         std::to_string(verify) + "; " + reason + ")";
            }
        }
        fail_with(std::move(reason));
    }

    void on_established() {
        NSSLAB_ASSERT(state == State::handshaking, "a handshake completes once");
        state = State::established;
        if (X509* cert = SSL_get0_peer_certificate(ssl))
            peer = certificate_info(cert);
        NSSLAB_ASSERT(!client || peer.has_value(),
                      "a client is established only with the server's verified certificate");
        SSL_CIPHER const* cipher = SSL_get_current_cipher(ssl);
        events.push_back(Event("tls.established")
                             .with("version", SSL_get_version(ssl))
                             .with("cipher", cipher == nullptr ? "" : SSL_CIPHER_get_name(cipher)));
    }

    void flush_unsent() {
        if (state != State::established || unsent.empty())
            return;
        ERR_clear_error();
        std::size_t written = 0;
        if (SSL_write_ex(ssl, unsent.data(), unsent.size(), &written) != 1 ||
            written != unsent.size()) {
            fail_ssl("TLS write failed");
            return;
        }
        unsent.clear();
    }

    void send_close_notify() {
        NSSLAB_ASSERT(state == State::established || state == State::closed,
                      "close_notify goes out only once the handshake is complete");
        if ((SSL_get_shutdown(ssl) & SSL_SENT_SHUTDOWN) != 0)
            return;
        ERR_clear_error();
        (void)SSL_shutdown(ssl);  // writes close_notify into wbio; 0 = peer's not yet seen
        ERR_clear_error();
    }

    void read_all() {
        unsigned char buf[16384];
        while (state == State::established || (state == State::closed && !close_notify_received)) {
            ERR_clear_error();
            std::size_t n = 0;
            int const r = SSL_read_ex(ssl, buf, sizeof buf, &n);
            if (r == 1) {
                received.insert(received.end(), buf, buf + n);
                continue;
            }
            int const err = SSL_get_error(ssl, 0);
            if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
                return;
            if (err == SSL_ERROR_ZERO_RETURN) {
                NSSLAB_ASSERT(!close_notify_received, "the peer's close_notify is read once");
                close_notify_received = true;
                send_close_notify();
                if (state == State::established)
                    closed_by("peer");
                return;
            }
            fail_ssl("TLS read failed");
            return;
        }
    }

    void drive() {
        if (state == State::handshaking) {
            ERR_clear_error();
            int const r = SSL_do_handshake(ssl);
            if (r != 1) {
                int const err = SSL_get_error(ssl, r);
                if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
                    return;
                fail_ssl("TLS handshake failed");
                return;
            }
            on_established();
        }
        read_all();
        flush_unsent();
    }

    // Server: the first two bytes of a TLS connection are a handshake record type (22) and
    // protocol major version 3. Anything else is a peer speaking something other than TLS.
    bool plain_text_check(ByteView bytes) {
        for (std::size_t i = 0; i < bytes.size() && stream_offset + i < 2; ++i) {
            std::uint64_t const at = stream_offset + i;
            std::uint8_t const b = bytes[i];
            if ((at == 0 && b != 0x16) || (at == 1 && b != 0x03)) {
                char text[8];
                std::snprintf(text, sizeof text, "0x%02x", b);
                fail_with(
                    "not a TLS connection: byte " + std::to_string(at) + " of the stream is " +
                    text +
                    ", not a TLS handshake record (the connection is not secure and is closed)");
                return false;
            }
        }
        return true;
    }
};

namespace {

int version_code(Version v) {
    return v == Version::tls1_2 ? TLS1_2_VERSION : TLS1_3_VERSION;
}

Channel::Impl* impl_of(SSL const* ssl) {
    return static_cast<Channel::Impl*>(SSL_get_app_data(ssl));
}

extern "C" void keylog_callback(SSL const* ssl, char const* line) {
    if (auto* impl = impl_of(ssl))
        impl->keylog.emplace_back(line);
}

extern "C" int verify_callback(int preverify_ok, X509_STORE_CTX* store) {
    if (preverify_ok != 1)
        return preverify_ok;
    if (X509_STORE_CTX_get_error_depth(store) != 0)
        return 1;
    auto* ssl =
        static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    Channel::Impl* impl = ssl == nullptr ? nullptr : impl_of(ssl);
    if (impl == nullptr)
        return 0;
    X509* cert = X509_STORE_CTX_get_current_cert(store);
    if (cert == nullptr)
        return 0;
    auto checked = check_server_identity(certificate_info(cert), impl->expected_identity,
                                         impl->server_address);
    if (!checked) {
        impl->identity_failure = checked.error().message;
        X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    return 1;
}

Error invalid(std::string_view what) {
    Error e = crypto::openssl_failure(what);
    e.code = Errc::invalid_argument;
    return e;
}

// SSL_CTX settings common to both roles (DESIGN.md §4: no wall time in the bytes).
Result<SSL_CTX*> new_context(crypto::LibContext& lib, bool client, Version min, Version max,
                             std::string const& cipher_list, std::string const& ciphersuites) {
    char const* where = client ? "tls::Channel::client" : "tls::Channel::server";
    if (version_code(min) > version_code(max))
        return fail(Errc::invalid_argument,
                    std::string(where) + ": min_version is above max_version");
    ERR_clear_error();
    SSL_CTX* ctx = SSL_CTX_new_ex(crypto::native_context(lib), nullptr,
                                  client ? TLS_client_method() : TLS_server_method());
    if (ctx == nullptr)
        return crypto::openssl_failure(std::string(where) + ": SSL_CTX_new_ex");
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_num_tickets(ctx, 0);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    // Idle connections give their 16 KiB+ record buffers back (thousands of NSS connections).
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_keylog_callback(ctx, keylog_callback);
    if (SSL_CTX_set_min_proto_version(ctx, version_code(min)) != 1 ||
        SSL_CTX_set_max_proto_version(ctx, version_code(max)) != 1) {
        SSL_CTX_free(ctx);
        return invalid(std::string(where) + ": version range");
    }
    if (!cipher_list.empty() && SSL_CTX_set_cipher_list(ctx, cipher_list.c_str()) != 1) {
        SSL_CTX_free(ctx);
        return invalid(std::string(where) + ": cipher_list '" + cipher_list + "'");
    }
    if (!ciphersuites.empty() && SSL_CTX_set_ciphersuites(ctx, ciphersuites.c_str()) != 1) {
        SSL_CTX_free(ctx);
        return invalid(std::string(where) + ": ciphersuites '" + ciphersuites + "'");
    }
    return ctx;
}

// Reads every PEM certificate in `pem`, calling `take(X509*)` (which takes ownership).
template <class Take>
int for_each_certificate(std::string const& pem, Take take) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    if (bio == nullptr)
        return 0;
    int count = 0;
    while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
        take(cert);
        ++count;
    }
    BIO_free(bio);
    ERR_clear_error();  // the loop ends on "no start line"
    return count;
}

Result<std::unique_ptr<Channel::Impl>> new_impl(SSL_CTX* ctx, bool client, std::size_t max_unsent) {
    auto impl = std::make_unique<Channel::Impl>();
    impl->client = client;
    impl->ctx = ctx;
    impl->max_unsent = max_unsent;
    impl->ssl = SSL_new(ctx);
    impl->rbio = BIO_new(BIO_s_mem());
    impl->wbio = BIO_new(BIO_s_mem());
    if (impl->ssl == nullptr || impl->rbio == nullptr || impl->wbio == nullptr) {
        BIO_free(impl->rbio);
        BIO_free(impl->wbio);
        impl->ctx = nullptr;  // the caller still owns it on failure
        return crypto::openssl_failure("tls::Channel: SSL_new/BIO_new");
    }
    BIO_set_mem_eof_return(impl->rbio, -1);  // empty input means "want read", not EOF
    SSL_set_bio(impl->ssl, impl->rbio, impl->wbio);
    SSL_set_app_data(impl->ssl, impl.get());
    if (client)
        SSL_set_connect_state(impl->ssl);
    else
        SSL_set_accept_state(impl->ssl);
    return impl;
}

}  // namespace

std::string_view to_string(Version version) {
    return version == Version::tls1_2 ? "TLSv1.2" : "TLSv1.3";
}

std::string_view to_string(Channel::State state) {
    switch (state) {
        case State::handshaking:
            return "handshaking";
        case State::established:
            return "established";
        case State::closed:
            return "closed";
        case State::failed:
            return "failed";
    }
    return "?";
}

Channel::Channel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Channel::Channel(Channel&&) noexcept = default;
Channel& Channel::operator=(Channel&&) noexcept = default;
Channel::~Channel() = default;

namespace {

// The SSL_CTX of a client: versions, ciphers and the trust anchors.
Result<SSL_CTX*> client_context(crypto::LibContext& lib, ClientConfig const& config) {
    auto ctx = new_context(lib, true, config.min_version, config.max_version, config.cipher_list,
                           config.ciphersuites);
    if (!ctx)
        return ctx.error();
    X509_STORE* store = SSL_CTX_get_cert_store(*ctx);
    int const anchors = for_each_certificate(config.trust_anchors_pem, [&](X509* cert) {
        X509_STORE_add_cert(store, cert);
        X509_free(cert);
    });
    if (anchors == 0) {
        SSL_CTX_free(*ctx);
        return fail(Errc::invalid_argument,
                    "tls::Channel::client: trust_anchors_pem holds no PEM certificate");
    }
    ERR_clear_error();
    SSL_CTX_set_verify(*ctx, SSL_VERIFY_PEER, verify_callback);
    return ctx;
}

// The SSL_CTX of a server: versions, ciphers, the certificate chain and its private key.
Result<SSL_CTX*> server_context(crypto::LibContext& lib, ServerConfig const& config) {
    auto ctx = new_context(lib, false, config.min_version, config.max_version, config.cipher_list,
                           config.ciphersuites);
    if (!ctx)
        return ctx.error();
    auto cleanup = [&] { SSL_CTX_free(*ctx); };
    bool leaf_ok = true;
    int const certs = for_each_certificate(config.certificate_chain_pem, [&](X509* cert) {
        if (SSL_CTX_get0_certificate(*ctx) == nullptr) {
            leaf_ok = SSL_CTX_use_certificate(*ctx, cert) == 1;
            X509_free(cert);
        } else if (SSL_CTX_add0_chain_cert(*ctx, cert) != 1) {
            X509_free(cert);
        }
    });
    if (certs == 0 || !leaf_ok) {
        cleanup();
        return fail(Errc::invalid_argument,
                    "tls::Channel::server: certificate_chain_pem holds no usable PEM certificate");
    }
    BIO* bio = BIO_new_mem_buf(config.private_key_pem.data(),
                               static_cast<int>(config.private_key_pem.size()));
    EVP_PKEY* key = bio == nullptr
                        ? nullptr
                        : PEM_read_bio_PrivateKey_ex(bio, nullptr, nullptr, nullptr,
                                                     crypto::native_context(lib), nullptr);
    BIO_free(bio);
    if (key == nullptr) {
        cleanup();
        return invalid("tls::Channel::server: private_key_pem");
    }
    int const used = SSL_CTX_use_PrivateKey(*ctx, key);
    EVP_PKEY_free(key);
    if (used != 1 || SSL_CTX_check_private_key(*ctx) != 1) {
        cleanup();
        return invalid("tls::Channel::server: the private key does not match the certificate");
    }
    return ctx;
}

// What identifies a context: role, library context and every SSL_CTX-level setting.
std::string context_key(char role, crypto::LibContext const& lib, Version min, Version max,
                        std::string const& cipher_list, std::string const& ciphersuites,
                        std::string const& a, std::string const& b) {
    std::string key;
    key.reserve(64 + cipher_list.size() + ciphersuites.size() + a.size() + b.size());
    key += role;
    key += std::to_string(reinterpret_cast<std::uintptr_t>(&lib));
    key += '|';
    key += static_cast<char>('0' + static_cast<int>(min));
    key += static_cast<char>('0' + static_cast<int>(max));
    for (std::string const* part : {&cipher_list, &ciphersuites, &a, &b}) {
        key += std::to_string(part->size());
        key += ':';
        key += *part;
    }
    return key;
}

}  // namespace

struct ContextCache::Impl {
    struct Entry {
        std::string key;
        SSL_CTX* ctx{nullptr};  // one reference held by the cache
    };
    std::size_t max_entries{8};
    std::vector<Entry> entries;  // oldest first
    std::uint64_t hits{0};
    std::uint64_t misses{0};

    ~Impl() {
        for (auto& e : entries)
            SSL_CTX_free(e.ctx);
    }

    // A new reference to the context for `key`, built by `build` when absent.
    template <class Build>
    Result<SSL_CTX*> get(std::string key, Build build) {
        for (auto& e : entries)
            if (e.key == key) {
                ++hits;
                SSL_CTX_up_ref(e.ctx);
                return e.ctx;
            }
        auto ctx = build();
        if (!ctx)
            return ctx;
        ++misses;
        if (max_entries == 0)
            return ctx;
        if (entries.size() >= max_entries) {
            SSL_CTX_free(entries.front().ctx);
            entries.erase(entries.begin());
        }
        SSL_CTX_up_ref(*ctx);
        entries.push_back(Entry{std::move(key), *ctx});
        return ctx;
    }
};

ContextCache::ContextCache(std::size_t max_entries) : impl_(std::make_unique<Impl>()) {
    impl_->max_entries = max_entries;
}
ContextCache::~ContextCache() = default;
std::size_t ContextCache::size() const {
    return impl_->entries.size();
}
std::uint64_t ContextCache::hits() const {
    return impl_->hits;
}
std::uint64_t ContextCache::misses() const {
    return impl_->misses;
}

Result<Channel> Channel::client(crypto::LibContext& lib, ClientConfig config, ContextCache* cache) {
    auto ctx = cache == nullptr
                   ? client_context(lib, config)
                   : cache->impl_->get(context_key('c', lib, config.min_version, config.max_version,
                                                   config.cipher_list, config.ciphersuites,
                                                   config.trust_anchors_pem, {}),
                                       [&] { return client_context(lib, config); });
    if (!ctx)
        return ctx.error();
    auto impl = new_impl(*ctx, true, config.max_unsent_plaintext);
    if (!impl) {
        SSL_CTX_free(*ctx);
        return impl.error();
    }
    Impl& c = **impl;
    // Per connection, never in the shared context: the node's virtual clock.
    X509_VERIFY_PARAM_set_time(SSL_get0_param(c.ssl),
                               static_cast<time_t>(unix_seconds(config.verification_time)));
    c.expected_identity = std::move(config.expected_identity);
    c.server_address = config.server_address;
    if (!config.server_name.empty() &&
        SSL_ctrl(c.ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(config.server_name.c_str())) != 1)
        return invalid("tls::Channel::client: server_name '" + config.server_name + "'");
    c.drive();  // ClientHello
    if (c.state == State::failed)
        return fail(Errc::crypto_error, c.failure);
    NSSLAB_ASSERT(c.state == State::handshaking, "a new client channel waits for the ServerHello");
    return Channel(std::move(*impl));
}

Result<Channel> Channel::server(crypto::LibContext& lib, ServerConfig config, ContextCache* cache) {
    auto ctx =
        cache == nullptr
            ? server_context(lib, config)
            : cache->impl_->get(context_key('s', lib, config.min_version, config.max_version,
                                            config.cipher_list, config.ciphersuites,
                                            config.certificate_chain_pem, config.private_key_pem),
                                [&] { return server_context(lib, config); });
    if (!ctx)
        return ctx.error();
    auto impl = new_impl(*ctx, false, config.max_unsent_plaintext);
    if (!impl) {
        SSL_CTX_free(*ctx);
        return impl.error();
    }
    return Channel(std::move(*impl));
}

void Channel::handle_received(ByteView bytes, TimePoint /*now*/) {
    Impl& c = *impl_;
    if (c.state == State::failed || c.close_notify_received || bytes.empty())
        return;
    if (!c.client && c.stream_offset < 2 && !c.plain_text_check(bytes))
        return;
    c.stream_offset += bytes.size();
    std::size_t done = 0;
    while (done < bytes.size()) {
        int const chunk = static_cast<int>(std::min<std::size_t>(bytes.size() - done, 1 << 30));
        int const w = BIO_write(c.rbio, bytes.data() + done, chunk);
        if (w <= 0) {
            c.fail_with(crypto::drain_openssl_errors("tls: buffering received bytes failed"));
            return;
        }
        done += static_cast<std::size_t>(w);
    }
    c.drive();
}

void Channel::handle_closed(TimePoint /*now*/) {
    Impl& c = *impl_;
    if (c.state == State::handshaking) {
        c.fail_with("connection closed by the peer during the TLS handshake");
    } else if (c.state == State::established ||
               (c.state == State::closed && !c.close_notify_received)) {
        c.fail_with("connection closed by the peer without close_notify");
    }
    NSSLAB_ASSERT(c.state == State::failed || (c.state == State::closed && c.close_notify_received),
                  "a channel whose transport ended is failed, or closed by both sides");
}

Result<void> Channel::send(ByteView plaintext) {
    Impl& c = *impl_;
    if (c.state == State::failed)
        return fail(Errc::closed, "tls::Channel::send: the channel failed: " + c.failure);
    if (c.state == State::closed)
        return fail(Errc::closed, "tls::Channel::send: the channel is closed");
    if (plaintext.size() > c.max_unsent - c.unsent.size()) {
        c.flush_unsent();  // established: encrypt what is queued so far (a no-op otherwise)
        if (c.state == State::failed)
            return fail(Errc::crypto_error, c.failure);
    }
    if (plaintext.size() > c.max_unsent - c.unsent.size())
        return fail(Errc::limit_exceeded, "tls::Channel::send: more than " +
                                              std::to_string(c.max_unsent) +
                                              " bytes of plaintext would wait for the handshake");
    c.unsent.insert(c.unsent.end(), plaintext.begin(), plaintext.end());
    NSSLAB_ASSERT(c.unsent.size() <= c.max_unsent, "unsent plaintext stays within its bound");
    return {};  // encrypted by the next poll_transmit()
}

void Channel::close() {
    Impl& c = *impl_;
    if (c.state == State::established) {
        c.flush_unsent();
        if (c.state != State::established)
            return;
        c.send_close_notify();
    }
    if (c.state == State::handshaking || c.state == State::established)
        c.closed_by("local");
    NSSLAB_ASSERT(c.state == State::closed || c.state == State::failed,
                  "after close() a channel sends no more application data");
}

std::optional<Bytes> Channel::poll_transmit() {
    Impl& c = *impl_;
    c.flush_unsent();  // the sends since the last drain, in as few records as fit
    std::size_t const pending = BIO_ctrl_pending(c.wbio);
    if (pending == 0)
        return std::nullopt;
    Bytes out(pending);
    int const n = BIO_read(c.wbio, out.data(), static_cast<int>(pending));
    if (n <= 0)
        return std::nullopt;
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::optional<Bytes> Channel::poll_received() {
    if (impl_->received.empty())
        return std::nullopt;
    return std::exchange(impl_->received, Bytes{});
}

std::optional<Event> Channel::poll_event() {
    if (impl_->events.empty())
        return std::nullopt;
    Event e = std::move(impl_->events.front());
    impl_->events.pop_front();
    return e;
}

std::optional<core::Secret> Channel::poll_secret() {
    if (impl_->keylog.empty())
        return std::nullopt;
    core::Secret s{core::Secret::Kind::tls_key_log, std::move(impl_->keylog.front())};
    impl_->keylog.pop_front();
    return s;
}

Channel::State Channel::state() const {
    return impl_->state;
}
std::string const& Channel::failure_reason() const {
    return impl_->failure;
}
bool Channel::is_client() const {
    return impl_->client;
}
bool Channel::close_notify_received() const {
    return impl_->close_notify_received;
}
std::optional<CertificateInfo> Channel::peer_certificate() const {
    return impl_->peer;
}
std::size_t Channel::unsent_plaintext_size() const {
    return impl_->unsent.size();
}

std::string Channel::version_name() const {
    if (impl_->state == State::handshaking && !SSL_is_init_finished(impl_->ssl))
        return {};
    return SSL_get_version(impl_->ssl);
}

std::string Channel::cipher_name() const {
    SSL_CIPHER const* cipher = SSL_get_current_cipher(impl_->ssl);
    return cipher == nullptr ? std::string{} : std::string(SSL_CIPHER_get_name(cipher));
}

}  // namespace nsslab::tls
