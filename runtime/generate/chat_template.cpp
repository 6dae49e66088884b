// Chat formats, rendered as the reference templates of each family do.
#include "runtime/generate/chat_template.h"

namespace ingot::generate {

std::optional<ChatFormat> detect_chat_format(std::string_view text) {
  if (text.find("<|im_start|>") != std::string_view::npos) return ChatFormat::kChatMl;
  if (text.find("<|start_header_id|>") != std::string_view::npos) return ChatFormat::kLlama3;
  if (text.find("<start_of_turn>") != std::string_view::npos) return ChatFormat::kGemma;
  return std::nullopt;
}

std::string default_system_prompt(std::string_view text) {
  constexpr std::string_view kOpen = "<|im_start|>system", kClose = "<|im_end|>";
  const size_t open = text.find(kOpen);
  if (open == std::string_view::npos) return "";
  size_t start = open + kOpen.size();
  // The newline is a real one or, inside a Jinja string literal, the escape "\n".
  if (text.substr(start, 1) == "\n") start += 1;
  else if (text.substr(start, 2) == "\\n") start += 2;
  else return "";
  const size_t close = text.find(kClose, start);
  if (close == std::string_view::npos) return "";
  const std::string_view literal = text.substr(start, close - start);
  // A Jinja expression, a quote or an escape inside: not a fixed literal.
  if (literal.find_first_of("{}'\"\\") != std::string_view::npos) return "";
  return std::string(literal);
}

const char* chat_format_name(ChatFormat format) {
  switch (format) {
    case ChatFormat::kChatMl: return "chatml";
    case ChatFormat::kLlama3: return "llama3";
    case ChatFormat::kGemma: return "gemma";
  }
  return "?";
}

const char* chat_end_of_turn(ChatFormat format) {
  switch (format) {
    case ChatFormat::kChatMl: return "<|im_end|>";
    case ChatFormat::kLlama3: return "<|eot_id|>";
    case ChatFormat::kGemma: return "<end_of_turn>";
  }
  return "";
}

std::string apply_chat_format(ChatFormat format, const std::vector<ChatMessage>& messages,
                              bool add_generation_prompt) {
  std::string out;
  switch (format) {
    case ChatFormat::kChatMl:
      for (const ChatMessage& m : messages)
        out += "<|im_start|>" + m.role + "\n" + m.content + "<|im_end|>\n";
      if (add_generation_prompt) out += "<|im_start|>assistant\n";
      break;
    case ChatFormat::kLlama3:
      out += "<|begin_of_text|>";
      for (const ChatMessage& m : messages)
        out += "<|start_header_id|>" + m.role + "<|end_header_id|>\n\n" + m.content + "<|eot_id|>";
      if (add_generation_prompt) out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
      break;
    case ChatFormat::kGemma: {
      out += "<bos>";
      std::string system;
      for (const ChatMessage& m : messages) {
        if (m.role == "system") {
          system += m.content + "\n\n";
          continue;
        }
        const std::string role = m.role == "assistant" ? "model" : m.role;
        out += "<start_of_turn>" + role + "\n" + (role == "user" ? system : "") + m.content +
               "<end_of_turn>\n";
        if (role == "user") system.clear();
      }
      if (add_generation_prompt) out += "<start_of_turn>model\n";
      break;
    }
  }
  return out;
}

}  // namespace ingot::generate
