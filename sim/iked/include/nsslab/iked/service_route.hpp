// The route of a service's answers back to whoever asked (issue 10 §2): IKED hands requests to
// a stack's NSS client for many requesters — an operator's `nss sign` today, an IKE SA's
// AUTH payload tomorrow — and every Completion must reach the one that asked, exactly once.
//
// A requester registers with the handle the serving core returned; complete() delivers the
// completion to it and forgets the handle. The serving core guarantees exactly one completion
// per handle (NssClient: nss_client.hpp), so the route holds at most as many entries as the core
// has pending requests (NssClientOptions::max_pending_requests), and is empty once the core is
// stopped. A completion nobody asked for breaks that guarantee: it is asserted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <utility>

#include "nsslab/base/result.hpp"
#include "nsslab/base/time.hpp"

namespace nsslab::iked {

template <class Completion>
class ServiceRoute {
  public:
    using Requester = std::function<void(Completion const&, TimePoint)>;

    // `handle` must be new to the route.
    void add(std::uint64_t handle, Requester requester) {
        bool const fresh = requesters_.emplace(handle, std::move(requester)).second;
        NSSLAB_ASSERT(fresh, "a service handle is routed once");
    }

    // Gives the completion to its requester and forgets the handle.
    void complete(Completion const& done, TimePoint now) {
        auto it = requesters_.find(done.handle);
        NSSLAB_ASSERT(it != requesters_.end(), "every completion answers a routed request");
        Requester requester = std::move(it->second);
        requesters_.erase(it);
        if (requester)
            requester(done, now);
    }

    std::size_t pending() const { return requesters_.size(); }

  private:
    std::map<std::uint64_t, Requester> requesters_;
};

}  // namespace nsslab::iked
