// Chat templates: the prompt formats of the model families ingot knows, detected from the
// template text an artifact carries (Jinja is not evaluated).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ingot::generate {

/// A known prompt format.
enum class ChatFormat { kChatMl, kLlama3, kGemma };

/// One message of a conversation: role is "system", "user" or "assistant".
struct ChatMessage {
  std::string role;
  std::string content;
};

/// The format a template text describes, by its marker tokens; nullopt when none is known.
std::optional<ChatFormat> detect_chat_format(std::string_view template_text);

/// A system prompt the template inserts when a conversation has none: a literal ChatML system
/// turn in the template text (SmolLM2's "You are a helpful AI assistant named SmolLM..."), or "".
std::string default_system_prompt(std::string_view template_text);

/// The format's name: "chatml", "llama3", "gemma".
const char* chat_format_name(ChatFormat format);

/// Renders `messages` and, when add_generation_prompt, the opening of the assistant's turn.
/// Gemma has no system role: a system message is prepended to the first user turn.
std::string apply_chat_format(ChatFormat format, const std::vector<ChatMessage>& messages,
                              bool add_generation_prompt);

/// The token text that ends an assistant turn in `format` (e.g. "<|im_end|>").
const char* chat_end_of_turn(ChatFormat format);

}  // namespace ingot::generate
