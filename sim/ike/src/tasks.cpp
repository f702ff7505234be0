// The exchanges an owner asks an established IKE SA for (create_child, rekey_child,
// delete_child, rekey_ike, liveness, delete_sa) and the bounded queue they wait in while the
// SA's one request is outstanding (window 1, RFC 7296 §2.3; strongSwan's queued tasks).
#include <initializer_list>

#include "sa.hpp"

namespace nsslab::ike {

std::string_view to_string(TaskKind kind) {
    switch (kind) {
        case TaskKind::create_child:
            return "create_child";
        case TaskKind::rekey_child:
            return "rekey_child";
        case TaskKind::delete_child:
            return "delete_child";
        case TaskKind::rekey_ike:
            return "rekey_ike";
        case TaskKind::delete_ike:
            return "delete_ike";
        case TaskKind::liveness:
            return "liveness";
    }
    return "unknown";
}

Result<IkeEndpoint::Sa*> IkeEndpoint::Impl::established_sa(SaId id) {
    Sa* sa = find(id);
    if (sa == nullptr)
        return nsslab::fail(Errc::not_found, "ike: no SA " + std::to_string(id));
    if (sa->state != SaState::established)
        return nsslab::fail(Errc::state_error, "ike: SA " + std::to_string(id) + " is " +
                                                   std::string(to_string(sa->state)));
    if (sa->tasks.size() >= options.tasks_max)
        return nsslab::fail(Errc::limit_exceeded,
                            "ike: SA " + std::to_string(id) + " has tasks_max exchanges queued");
    return sa;
}

void IkeEndpoint::Impl::queue(Sa& sa, Task task, TimePoint now, bool first) {
    if (first)
        sa.tasks.push_front(std::move(task));
    else
        sa.tasks.push_back(std::move(task));
    run_tasks(sa.id, now);
}

void IkeEndpoint::Impl::run_tasks(SaId id, TimePoint now) {
    for (;;) {
        Sa* sa = find(id);
        if (sa == nullptr || !sa->can_request() || sa->outstanding.active || sa->tasks.empty())
            return;
        Task task = std::move(sa->tasks.front());
        sa->tasks.pop_front();
        switch (task.kind) {
            case TaskKind::create_child:
            case TaskKind::rekey_child:
                start_create_child(*sa, task, now);
                break;
            case TaskKind::delete_child:
                start_delete_child(*sa, task, now);
                break;
            case TaskKind::rekey_ike:
                start_rekey_ike(*sa, now);
                break;
            case TaskKind::delete_ike:
                start_delete_ike(*sa, task.reason, now);
                break;
            case TaskKind::liveness:
                start_liveness(*sa, now);
                break;
        }
    }
}

// ---- IkeEndpoint ----------------------------------------------------------------------------

Result<ChildId> IkeEndpoint::create_child(SaId id, TimePoint now) {
    Impl& m = *impl_;
    auto sa = m.established_sa(id);
    if (!sa)
        return sa.error();
    std::size_t planned = (*sa)->live_children();
    for (auto const& t : (*sa)->tasks)
        planned += t.kind == TaskKind::create_child ? 1 : 0;
    if ((*sa)->exchange && (*sa)->exchange->task.kind == TaskKind::create_child)
        ++planned;
    if (planned >= m.options.children_max)
        return nsslab::fail(Errc::limit_exceeded,
                            "ike: SA " + std::to_string(id) + " has children_max Child SAs");
    ChildId child = m.next_child++;
    m.queue(**sa, Task{TaskKind::create_child, child, {}}, now);
    return child;
}

namespace {

// The Child SA of `sa` with inbound SPI `spi_in`, unless it is in one of the `refused` states.
Result<ChildSa*> child_for(IkeEndpoint::Sa& sa, std::uint32_t spi_in,
                           std::initializer_list<ChildState> refused) {
    ChildSa* child = sa.child_by_spi_in(spi_in);
    if (child == nullptr)
        return fail(Errc::not_found, "ike: no Child SA with inbound SPI " + std::to_string(spi_in));
    for (auto state : refused)
        if (child->state == state)
            return fail(Errc::state_error, "ike: Child SA " + std::to_string(child->id) + " is " +
                                               std::string(to_string(child->state)));
    return child;
}

}  // namespace

Result<void> IkeEndpoint::rekey_child(SaId id, std::uint32_t spi_in, TimePoint now) {
    auto sa = impl_->established_sa(id);
    if (!sa)
        return sa.error();
    auto child =
        child_for(**sa, spi_in, {ChildState::rekeying, ChildState::rekeyed, ChildState::deleting});
    if (!child)
        return child.error();
    impl_->queue(**sa, Task{TaskKind::rekey_child, (*child)->id, {}}, now);
    return {};
}

Result<void> IkeEndpoint::delete_child(SaId id, std::uint32_t spi_in, TimePoint now) {
    auto sa = impl_->established_sa(id);
    if (!sa)
        return sa.error();
    auto child = child_for(**sa, spi_in, {ChildState::deleting});
    if (!child)
        return child.error();
    impl_->queue(**sa, Task{TaskKind::delete_child, (*child)->id, "local"}, now);
    return {};
}

Result<void> IkeEndpoint::rekey_ike(SaId id, TimePoint now) {
    auto sa = impl_->established_sa(id);
    if (!sa)
        return sa.error();
    impl_->queue(**sa, Task{TaskKind::rekey_ike, 0, {}}, now);
    return {};
}

Result<void> IkeEndpoint::liveness(SaId id, TimePoint now) {
    auto sa = impl_->established_sa(id);
    if (!sa)
        return sa.error();
    impl_->queue(**sa, Task{TaskKind::liveness, 0, {}}, now);
    return {};
}

}  // namespace nsslab::ike
