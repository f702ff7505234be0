// One TCP/IP stack of IKED's system that is an NSS client (an NssStackConfig in iked.conf,
// facts §1.3): its NSS client core (sim/nss NssClient) pumped into IKED's runtime by its own
// driver adapter, the route that brings each certificate-service answer back to whoever asked
// (service_route.hpp), and the TCP/IP stack model that remote management (ipsec -z through NSS)
// and the local ipsec commands act on. With the IKE engine it will own the stack's IKE endpoint
// too, whose SAs ask for signatures through the same route.
//
// Every completion is traced as "iked.nss_completion" (stack, handle, result, reason, attempts),
// exactly one per request, then handed to its requester.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nsslab/base/result.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/iked/service_route.hpp"
#include "nsslab/iked/stack_management.hpp"
#include "nsslab/nss/nss_client.hpp"
#include "nsslab/runtime/driver.hpp"
#include "nsslab/runtime/runtime.hpp"
#include "nsslab/zos/iked_conf.hpp"

namespace nsslab::iked {

class IkedStack {
  public:
    using Requester = ServiceRoute<nss::Completion>::Requester;

    // The stack's NSS client from iked.conf, pumped into `rt` and routed by `drivers`. Errors:
    // the NssStackConfig (nss::NssClient::create).
    static Result<std::unique_ptr<IkedStack>> create(
        runtime::Runtime& rt, runtime::DriverSet& drivers, std::string name,
        zos::IkeConfig const& ike, zos::NssStackConfig const& config, std::string system_name,
        nss::ClientTlsPolicy tls, crypto::LibContext& lib, nss::NssClientOptions options);
    IkedStack(IkedStack const&) = delete;
    IkedStack& operator=(IkedStack const&) = delete;
    ~IkedStack();

    void start(TimePoint now);
    // Stops the NSS client: its Close goes out, every pending request completes (internal_error
    // "NSS client stopped") to its requester, and every stream still open is closed.
    void stop(TimePoint now);
    // MODIFY IKED,REFRESH for this stack (nss::NssClient::refresh): true when it reconnects.
    Result<bool> refresh(zos::IkeConfig const& ike, zos::NssStackConfig const& config,
                         TimePoint now);

    // A signature from the stack's NSS certificate service; `requester` gets the Completion.
    nss::RequestHandle request_sign(std::string label, wire_nss::SignatureScheme scheme, Bytes data,
                                    TimePoint now, Requester requester);
    // A verification of a peer's signature and certificate chain by the stack's NSS
    // certificate service; `requester` gets the Completion.
    nss::RequestHandle request_verify(wire_nss::SignatureScheme scheme, Bytes data, Bytes signature,
                                      std::vector<Bytes> chain, TimePoint now, Requester requester);
    // The certificates of the NSS server's key ring this client may use for an IKE identity
    // (wire_nss cert_request by identity); `requester` gets the Completion.
    nss::RequestHandle request_certificates_for(wire_nss::CertificateIdentity identity,
                                                TimePoint now, Requester requester);

    // The stack model remote management and the local ipsec commands act on (may be null).
    void set_model(StackManagement* model);
    StackManagement* model() const { return model_; }

    // Moves the core's outputs to the runtime and its completions to their requesters.
    void drain(TimePoint now);

    std::string const& name() const { return name_; }
    // Whether the stack's NssStackConfig has ServiceType Cert (IKEv2 signatures need it).
    bool cert_service() const { return cert_service_; }
    nss::NssClient const& client() const { return *client_; }
    std::size_t pending_requests() const { return route_.pending(); }

  private:
    IkedStack(runtime::Runtime& rt, runtime::DriverSet& drivers, std::string name,
              std::unique_ptr<nss::NssClient> client);
    void completed(nss::Completion const& done, TimePoint now);
    void routed(nss::RequestHandle handle, char const* kind, TimePoint now, Requester requester);

    runtime::Runtime& rt_;
    std::string name_;
    std::unique_ptr<nss::NssClient> client_;
    runtime::StreamDriver<nss::NssClient> driver_;
    ServiceRoute<nss::Completion> route_;
    StackManagement* model_{nullptr};
    bool cert_service_{false};
};

}  // namespace nsslab::iked
