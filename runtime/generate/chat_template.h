// Chat templates: the prompt formats of the model families ingot knows, detected from the
// template text an artifact carries and rendered as llama.cpp's built-in formats render them
// (llm_chat_detect_template and llm_chat_apply_template; Jinja is not evaluated).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ingot::generate {

/// A known prompt format, named as llama.cpp names it (chat_format_name).
enum class ChatFormat {
  kChatMl,
  kLlama2,          ///< [INST] turns; a system message goes into the first, bare
  kLlama2Sys,       ///< ... in <<SYS>> tags
  kLlama2SysBos,    ///< ... and <s> before each later [INST]
  kLlama2SysStrip,  ///< ... with every message's spaces trimmed
  kMistralV1,
  kMistralV3,
  kMistralV3Tekken,
  kMistralV7,
  kMistralV7Tekken,
  kPhi3,
  kFalcon3,
  kZephyr,
  kMonarch,
  kGemma,
  kOpenChat,
  kVicuna,
  kVicunaOrca,
  kDeepSeek,
  kLlama3,
  kGlmEdge,
};

/// One message of a conversation: role is "system", "user" or "assistant".
struct ChatMessage {
  std::string role;
  std::string content;
};

/// The format a template text describes, as llama.cpp detects it (a format's own name also
/// names it); nullopt when llama.cpp would pick a format ingot does not render, or none.
std::optional<ChatFormat> detect_chat_format(std::string_view template_text);

/// A system prompt the template inserts when a conversation has none: a literal ChatML system
/// turn in the template text (SmolLM2's "You are a helpful AI assistant named SmolLM..."), or "".
std::string default_system_prompt(std::string_view template_text);

/// The format's llama.cpp name: "chatml", "llama3", "mistral-v7", ...
const char* chat_format_name(ChatFormat format);

/// Every format's name, comma-separated, for messages.
std::string chat_format_names();

/// Renders `messages` and, when add_generation_prompt, the opening of the assistant's turn. As
/// llama.cpp's, the text has no BOS: tokenizing with the model's special tokens adds it.
std::string apply_chat_format(ChatFormat format, const std::vector<ChatMessage>& messages,
                              bool add_generation_prompt);

/// The text a new message adds to a conversation whose `history` is already in the KV cache
/// (llama.cpp's common_chat_format_single): the rendering with `message` and the assistant's
/// opening, less the rendering of the history alone; a history that ends in a newline the model
/// did not write (after its end-of-turn token) gets it back first.
std::string chat_continuation(ChatFormat format, const std::vector<ChatMessage>& history,
                              const ChatMessage& message);

/// The text that ends an assistant turn in `format` (e.g. "<|im_end|>"); "" where the format
/// ends one with nothing the model writes.
const char* chat_end_of_turn(ChatFormat format);

}  // namespace ingot::generate
