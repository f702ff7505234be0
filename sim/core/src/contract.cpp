#include "nsslab/core/contract.hpp"

namespace nsslab {

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

}  // namespace nsslab

namespace nsslab::core {

std::string_view to_string(StreamTransmit::Kind kind) {
    switch (kind) {
        case StreamTransmit::Kind::connect:
            return "connect";
        case StreamTransmit::Kind::data:
            return "data";
        case StreamTransmit::Kind::close:
            return "close";
        case StreamTransmit::Kind::abort:
            return "abort";
    }
    return "unknown";
}

}  // namespace nsslab::core
