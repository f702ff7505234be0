#include "nsslab/runtime/runtime.hpp"

namespace nsslab::runtime {

std::string_view to_string(StreamEnd end) {
    switch (end) {
        case StreamEnd::eof:
            return "eof";
        case StreamEnd::reset:
            return "reset";
        case StreamEnd::refused:
            return "refused";
        case StreamEnd::timed_out:
            return "timed_out";
        case StreamEnd::unreachable:
            return "unreachable";
    }
    return "unknown";
}

}  // namespace nsslab::runtime
