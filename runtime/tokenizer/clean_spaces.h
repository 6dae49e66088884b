// clean_up_tokenization_spaces, exactly as llama.cpp's llama_detokenize applies it.
#pragma once

#include <string>

namespace ingot::tokenizer {

/// Removes the space before ? ! . , ; the spaces around a lone ' ; and the space
/// before 's 'm 're 've (but not 't 'd 'll), in llama.cpp's three in-place passes.
void clean_up_tokenization_spaces(std::string& text);

}  // namespace ingot::tokenizer
