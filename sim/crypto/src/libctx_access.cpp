// native_context() (libctx_access.hpp) is defined in openssl_context.cpp, next to
// LibContext::Native, which owns the OSSL_LIB_CTX. This file is intentionally empty.
