// Placeholder translation unit so the zos library exists before its first component lands;
// remove once sim/zos/src has real sources.
namespace nsslab::zos {}
