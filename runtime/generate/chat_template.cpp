// Chat formats, detected and rendered as llama.cpp's llm_chat_detect_template and
// llm_chat_apply_template do, for the formats of the model families ingot compiles.
#include "runtime/generate/chat_template.h"

#include <cctype>
#include <utility>

namespace ingot::generate {
namespace {

constexpr std::pair<ChatFormat, const char*> kNames[] = {
    {ChatFormat::kChatMl, "chatml"},
    {ChatFormat::kLlama2, "llama2"},
    {ChatFormat::kLlama2Sys, "llama2-sys"},
    {ChatFormat::kLlama2SysBos, "llama2-sys-bos"},
    {ChatFormat::kLlama2SysStrip, "llama2-sys-strip"},
    {ChatFormat::kMistralV1, "mistral-v1"},
    {ChatFormat::kMistralV3, "mistral-v3"},
    {ChatFormat::kMistralV3Tekken, "mistral-v3-tekken"},
    {ChatFormat::kMistralV7, "mistral-v7"},
    {ChatFormat::kMistralV7Tekken, "mistral-v7-tekken"},
    {ChatFormat::kPhi3, "phi3"},
    {ChatFormat::kFalcon3, "falcon3"},
    {ChatFormat::kZephyr, "zephyr"},
    {ChatFormat::kMonarch, "monarch"},
    {ChatFormat::kGemma, "gemma"},
    {ChatFormat::kOpenChat, "openchat"},
    {ChatFormat::kVicuna, "vicuna"},
    {ChatFormat::kVicunaOrca, "vicuna-orca"},
    {ChatFormat::kDeepSeek, "deepseek"},
    {ChatFormat::kLlama3, "llama3"},
    {ChatFormat::kGlmEdge, "glmedge"},
};

/// `text` without leading and trailing ASCII whitespace, as llama.cpp's trim.
std::string trim(std::string_view text) {
  size_t start = 0, end = text.size();
  while (start < end && std::isspace(static_cast<unsigned char>(text[start]))) ++start;
  while (end > start && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return std::string(text.substr(start, end - start));
}

// The [INST] formats of Mistral's v1, v3 and v3-tekken templates.
void render_mistral(ChatFormat format, const std::vector<ChatMessage>& messages, std::string& out) {
  const std::string leading = format == ChatFormat::kMistralV1 ? " " : "";
  const std::string trailing = format == ChatFormat::kMistralV3Tekken ? "" : " ";
  bool inside_turn = false;
  for (const ChatMessage& m : messages) {
    if (!inside_turn) {
      out += leading + "[INST]" + trailing;
      inside_turn = true;
    }
    if (m.role == "system") {
      out += m.content + "\n\n";
    } else if (m.role == "user") {
      out += m.content + leading + "[/INST]";
    } else {
      out += trailing + (format == ChatFormat::kMistralV3 ? trim(m.content) : m.content) + "</s>";
      inside_turn = false;
    }
  }
}

// Llama 2's [INST] format and its three variants.
void render_llama2(ChatFormat format, const std::vector<ChatMessage>& messages, std::string& out) {
  const bool system_tags = format != ChatFormat::kLlama2;
  const bool bos_inside = format == ChatFormat::kLlama2SysBos;
  const bool strip = format == ChatFormat::kLlama2SysStrip;
  bool inside_turn = true;  // the first [INST] follows the BOS that tokenizing adds
  out += "[INST] ";
  for (const ChatMessage& m : messages) {
    const std::string content = strip ? trim(m.content) : m.content;
    if (!inside_turn) {
      inside_turn = true;
      out += bos_inside ? "<s>[INST] " : "[INST] ";
    }
    if (m.role == "system") {
      out += system_tags ? "<<SYS>>\n" + content + "\n<</SYS>>\n\n" : content + "\n";
    } else if (m.role == "user") {
      out += content + " [/INST]";
    } else {
      out += content + "</s>";
      inside_turn = false;
    }
  }
}

// Gemma has no system role: the system text opens the next user turn.
void render_gemma(const std::vector<ChatMessage>& messages, std::string& out) {
  std::string system;
  for (const ChatMessage& m : messages) {
    if (m.role == "system") {
      system += trim(m.content);
      continue;
    }
    const std::string role = m.role == "assistant" ? "model" : m.role;
    out += "<start_of_turn>" + role + "\n";
    if (!system.empty() && role != "model") {
      out += system + "\n\n";
      system.clear();
    }
    out += trim(m.content) + "<end_of_turn>\n";
  }
}

// The formats whose every message is one fixed pattern (prefix + role + middle + content + end).
void render_simple(ChatFormat format, const std::vector<ChatMessage>& messages, std::string& out) {
  for (size_t i = 0; i < messages.size(); ++i) {
    const ChatMessage& m = messages[i];
    switch (format) {
      case ChatFormat::kChatMl:
        out += "<|im_start|>" + m.role + "\n" + m.content + "<|im_end|>\n";
        break;
      case ChatFormat::kPhi3: out += "<|" + m.role + "|>\n" + m.content + "<|end|>\n"; break;
      case ChatFormat::kFalcon3: out += "<|" + m.role + "|>\n" + m.content + "\n"; break;
      case ChatFormat::kZephyr:
        out += "<|" + m.role + "|>\n" + m.content + "<|endoftext|>\n";
        break;
      case ChatFormat::kGlmEdge: out += "<|" + m.role + "|>\n" + m.content; break;
      case ChatFormat::kMonarch:  // the first message's <s> is the one tokenizing adds
        out += (i == 0 ? "" : "<s>") + m.role + "\n" + m.content + "</s>\n";
        break;
      case ChatFormat::kLlama3:
        out += "<|start_header_id|>" + m.role + "<|end_header_id|>\n\n" + trim(m.content) +
               "<|eot_id|>";
        break;
      case ChatFormat::kOpenChat:
        if (m.role == "system") {
          out += m.content + "<|end_of_turn|>";
        } else {
          std::string role = m.role;
          if (!role.empty()) role[0] = static_cast<char>(std::toupper(role[0]));
          out += "GPT4 Correct " + role + ": " + m.content + "<|end_of_turn|>";
        }
        break;
      case ChatFormat::kVicuna:
      case ChatFormat::kVicunaOrca:
        if (m.role == "system") {
          out += format == ChatFormat::kVicunaOrca ? "SYSTEM: " + m.content + "\n"
                                                   : m.content + "\n\n";
        } else if (m.role == "user") {
          out += "USER: " + m.content + "\n";
        } else if (m.role == "assistant") {
          out += "ASSISTANT: " + m.content + "</s>\n";
        }
        break;
      case ChatFormat::kDeepSeek:
        if (m.role == "system") out += m.content;
        else if (m.role == "user") out += "### Instruction:\n" + m.content + "\n";
        else if (m.role == "assistant") out += "### Response:\n" + m.content + "\n<|EOT|>\n";
        break;
      default: break;
    }
  }
}

// What add_generation_prompt appends: the opening of the assistant's turn.
const char* assistant_opening(ChatFormat format) {
  switch (format) {
    case ChatFormat::kChatMl: return "<|im_start|>assistant\n";
    case ChatFormat::kPhi3:
    case ChatFormat::kFalcon3:
    case ChatFormat::kZephyr: return "<|assistant|>\n";
    case ChatFormat::kGlmEdge: return "<|assistant|>";
    case ChatFormat::kMonarch: return "<s>assistant\n";
    case ChatFormat::kGemma: return "<start_of_turn>model\n";
    case ChatFormat::kOpenChat: return "GPT4 Correct Assistant:";
    case ChatFormat::kVicuna:
    case ChatFormat::kVicunaOrca: return "ASSISTANT:";
    case ChatFormat::kDeepSeek: return "### Response:\n";
    case ChatFormat::kLlama3: return "<|start_header_id|>assistant<|end_header_id|>\n\n";
    default: return "";  // the [INST] formats end a user turn with the assistant's opening
  }
}

}  // namespace

std::optional<ChatFormat> detect_chat_format(std::string_view text) {
  for (const auto& [format, name] : kNames)
    if (text == name) return format;
  const auto has = [&](std::string_view marker) { return text.find(marker) != text.npos; };
  // llama.cpp's order: the first test a template passes decides, and a format ingot does not
  // render stops the search there (nullopt) rather than fall through to a wrong one.
  if (has("<|im_start|>")) {
    if (has("<|im_sep|>") || has("<end_of_utterance>")) return std::nullopt;  // phi-4, SmolVLM
    return ChatFormat::kChatMl;
  }
  if (text.starts_with("mistral") || has("[INST]")) {
    if (has("[SYSTEM_PROMPT]")) return ChatFormat::kMistralV7;
    if (has("' [INST] ' + system_message") || has("[AVAILABLE_TOOLS]")) {
      if (has(" [INST]")) return ChatFormat::kMistralV1;
      if (has("\"[INST]\"")) return ChatFormat::kMistralV3Tekken;
      return ChatFormat::kMistralV3;
    }
    if (has("content.strip()")) return ChatFormat::kLlama2SysStrip;
    if (has("bos_token + '[INST]")) return ChatFormat::kLlama2SysBos;
    if (has("<<SYS>>")) return ChatFormat::kLlama2Sys;
    return ChatFormat::kLlama2;
  }
  if (has("<|assistant|>") && has("<|end|>")) return ChatFormat::kPhi3;
  if (has("[gMASK]<sop>")) return std::nullopt;  // ChatGLM 4
  if (has("<|assistant|>") && has("<|user|>")) {
    if (has("<|tool_declare|>")) return std::nullopt;  // EXAONE MoE
    return has("</s>") ? ChatFormat::kFalcon3 : ChatFormat::kGlmEdge;
  }
  if (has("<|{{ item['role'] }}|>") && has("<|begin_of_image|>")) return ChatFormat::kGlmEdge;
  if (has("<|user|>") && has("<|endoftext|>")) return ChatFormat::kZephyr;
  if (has("bos_token + message['role']")) return ChatFormat::kMonarch;
  if (has("<start_of_turn>")) return ChatFormat::kGemma;
  if (has("'\\n\\nAssistant: ' + eos_token")) return std::nullopt;  // Orion
  if (has("GPT4 Correct ")) return ChatFormat::kOpenChat;
  if (has("USER: ") && has("ASSISTANT: "))
    return has("SYSTEM: ") ? ChatFormat::kVicunaOrca : ChatFormat::kVicuna;
  if (has("### Instruction:") && has("<|EOT|>")) return ChatFormat::kDeepSeek;
  if (has("<|START_OF_TURN_TOKEN|>") && has("<|USER_TOKEN|>")) return std::nullopt;  // Command R
  if (has("<|start_header_id|>") && has("<|end_header_id|>")) return ChatFormat::kLlama3;
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
  for (const auto& [value, name] : kNames)
    if (value == format) return name;
  return "?";
}

std::string chat_format_names() {
  std::string out;
  for (const auto& [format, name] : kNames) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

const char* chat_end_of_turn(ChatFormat format) {
  switch (format) {
    case ChatFormat::kChatMl: return "<|im_end|>";
    case ChatFormat::kPhi3: return "<|end|>";
    case ChatFormat::kZephyr: return "<|endoftext|>";
    case ChatFormat::kGemma: return "<end_of_turn>";
    case ChatFormat::kOpenChat: return "<|end_of_turn|>";
    case ChatFormat::kDeepSeek: return "\n<|EOT|>";
    case ChatFormat::kLlama3: return "<|eot_id|>";
    case ChatFormat::kFalcon3:
    case ChatFormat::kGlmEdge: return "";
    default: return "</s>";  // Llama 2, Mistral, Monarch, Vicuna
  }
}

std::string apply_chat_format(ChatFormat format, const std::vector<ChatMessage>& messages,
                              bool add_generation_prompt) {
  std::string out;
  switch (format) {
    case ChatFormat::kMistralV7:
    case ChatFormat::kMistralV7Tekken: {
      const std::string space = format == ChatFormat::kMistralV7 ? " " : "";
      for (const ChatMessage& m : messages) {
        if (m.role == "system") out += "[SYSTEM_PROMPT]" + space + m.content + "[/SYSTEM_PROMPT]";
        else if (m.role == "user") out += "[INST]" + space + m.content + "[/INST]";
        else out += space + m.content + "</s>";
      }
      return out;
    }
    case ChatFormat::kMistralV1:
    case ChatFormat::kMistralV3:
    case ChatFormat::kMistralV3Tekken: render_mistral(format, messages, out); return out;
    case ChatFormat::kLlama2:
    case ChatFormat::kLlama2Sys:
    case ChatFormat::kLlama2SysBos:
    case ChatFormat::kLlama2SysStrip: render_llama2(format, messages, out); return out;
    case ChatFormat::kGemma: render_gemma(messages, out); break;
    default: render_simple(format, messages, out); break;
  }
  if (add_generation_prompt) out += assistant_opening(format);
  return out;
}

std::string chat_continuation(ChatFormat format, const std::vector<ChatMessage>& history,
                              const ChatMessage& message) {
  const std::string past = history.empty() ? "" : apply_chat_format(format, history, false);
  std::vector<ChatMessage> with = history;
  with.push_back(message);
  const std::string full = apply_chat_format(format, with, true);
  // Every format renders a conversation as its history's rendering plus more.
  std::string out = !past.empty() && past.back() == '\n' ? "\n" : "";
  out += full.starts_with(past) ? full.substr(past.size()) : full;
  return out;
}

}  // namespace ingot::generate
