// The one translation unit that compiles Boost.Asio's implementation
// (BOOST_ASIO_SEPARATE_COMPILATION is set for every source of nsslab_asio).
#include <boost/asio/impl/src.hpp>
