#include "nsslab/zos/operator_text.hpp"

namespace nsslab::zos {

std::vector<std::string> split_words(std::string_view text) {
    constexpr std::string_view blanks = " \t\r\n\f\v";
    std::vector<std::string> words;
    for (std::size_t at = text.find_first_not_of(blanks); at != std::string_view::npos;) {
        std::size_t end = text.find_first_of(blanks, at);
        words.emplace_back(text.substr(at, end == std::string_view::npos ? end : end - at));
        at = end == std::string_view::npos ? end : text.find_first_not_of(blanks, end);
    }
    return words;
}

}  // namespace nsslab::zos
