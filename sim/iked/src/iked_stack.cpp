// One NSS client stack of IKED (nsslab/iked/iked_stack.hpp).
#include "nsslab/iked/iked_stack.hpp"

namespace nsslab::iked {

Result<std::unique_ptr<IkedStack>> IkedStack::create(
    runtime::Runtime& rt, runtime::DriverSet& drivers, std::string name, zos::IkeConfig const& ike,
    zos::NssStackConfig const& config, std::string system_name, nss::ClientTlsPolicy tls,
    crypto::LibContext& lib, nss::NssClientOptions options) {
    auto client = nss::NssClient::create(ike, config, std::move(system_name), std::move(tls), lib,
                                         std::move(options));
    if (!client)
        return client.error();
    auto stack =
        std::unique_ptr<IkedStack>(new IkedStack(rt, drivers, std::move(name), std::move(*client)));
    stack->cert_service_ = config.has_service(zos::NssServiceType::cert);
    return stack;
}

IkedStack::IkedStack(runtime::Runtime& rt, runtime::DriverSet& drivers, std::string name,
                     std::unique_ptr<nss::NssClient> client)
    : rt_(rt),
      name_(std::move(name)),
      client_(std::move(client)),
      driver_(rt, *client_, &drivers, runtime::StreamDriverOptions{"iked", "stack", name_}) {
    driver_.on_completion(
        [this](nss::Completion const& done, TimePoint now) { completed(done, now); });
}

IkedStack::~IkedStack() = default;

void IkedStack::start(TimePoint now) {
    client_->start(now);
    drain(now);
}

void IkedStack::stop(TimePoint now) {
    client_->stop(now);
    drain(now);  // its Close and close transmits, and every pending completion
    driver_.close_all();
    NSSLAB_ASSERT(route_.pending() == 0, "stopping the NSS client completes every request");
}

Result<bool> IkedStack::refresh(zos::IkeConfig const& ike, zos::NssStackConfig const& config,
                                TimePoint now) {
    auto changed = client_->refresh(ike, config, now);
    if (changed)
        cert_service_ = config.has_service(zos::NssServiceType::cert);
    drain(now);
    return changed;
}

nss::RequestHandle IkedStack::request_sign(std::string label, wire_nss::SignatureScheme scheme,
                                           Bytes data, TimePoint now, Requester requester) {
    nss::RequestHandle const handle =
        client_->request_sign(std::move(label), scheme, std::move(data), now);
    routed(handle, "sign", now, std::move(requester));
    return handle;
}

nss::RequestHandle IkedStack::request_verify(wire_nss::SignatureScheme scheme, Bytes data,
                                             Bytes signature, std::vector<Bytes> chain,
                                             TimePoint now, Requester requester) {
    nss::RequestHandle const handle = client_->request_verify(
        scheme, std::move(data), std::move(signature), std::move(chain), now);
    routed(handle, "verify", now, std::move(requester));
    return handle;
}

nss::RequestHandle IkedStack::request_certificates_for(wire_nss::CertificateIdentity identity,
                                                       TimePoint now, Requester requester) {
    nss::RequestHandle const handle =
        client_->request_certificates_for(std::move(identity), false, now);
    routed(handle, "certificates", now, std::move(requester));
    return handle;
}

void IkedStack::routed(nss::RequestHandle handle, char const* kind, TimePoint now,
                       Requester requester) {
    route_.add(handle, std::move(requester));
    rt_.emit(
        Event("iked.nss_request").with("stack", name_).with("handle", handle).with("kind", kind));
    drain(now);
}

void IkedStack::set_model(StackManagement* model) {
    model_ = model;
    client_->set_managed_stack(model);
}

void IkedStack::drain(TimePoint now) {
    driver_.drain(now);
}

void IkedStack::completed(nss::Completion const& done, TimePoint now) {
    rt_.emit(Event("iked.nss_completion")
                 .with("stack", name_)
                 .with("handle", done.handle)
                 .with("result", wire_nss::to_string(done.result))
                 .with("reason", done.reason)
                 .with("attempts", done.attempts));
    route_.complete(done, now);
}

}  // namespace nsslab::iked
