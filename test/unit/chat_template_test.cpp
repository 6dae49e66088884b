// Chat formats against llama.cpp's own chat-template test cases (test/golden/chat_templates.json,
// from its tests/test-chat-template.cpp): the same detection and the same text, byte for byte.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/generate/chat_template.h"

namespace ingot::generate {
namespace {

nlohmann::json golden() {
  std::ifstream in(INGOT_GOLDEN_DIR "/chat_templates.json");
  return nlohmann::json::parse(in);
}

std::vector<ChatMessage> messages_of(const nlohmann::json& list) {
  std::vector<ChatMessage> out;
  for (const nlohmann::json& m : list) out.push_back({m["role"], m["content"]});
  return out;
}

// The format each of llama.cpp's cases is rendered in, for the cases of formats ingot renders;
// llama.cpp detects every other case as a format ingot refuses.
const std::map<std::string, std::string> kRendered = {
    {"teknium/OpenHermes-2.5-Mistral-7B", "chatml"},
    {"mistralai/Mistral-7B-Instruct-v0.2 (NOTE: Old pre-v1 without a system prompt)", "llama2"},
    {"TheBloke/FusionNet_34Bx2_MoE-AWQ", "llama2-sys-bos"},
    {"bofenghuang/vigogne-2-70b-chat", "llama2-sys-strip"},
    {"mlabonne/AlphaMonarch-7B", "monarch"},
    {"google/gemma-7b-it", "gemma"},
    {"openchat/openchat-3.5-0106", "openchat"},
    {"deepseek-ai/deepseek-coder-33b-instruct", "deepseek"},
    {"eachadea/vicuna-13b-1.1", "vicuna"},
    {"Orca-Vicuna", "vicuna-orca"},
    {"Llama-3", "llama3"},
    {"Phi-3-mini", "phi3"},
    {"Phi-3-small", "phi3"},
    {"Phi-3-medium", "phi3"},
    {"Phi-3-vision", "phi3"},
    {"GLMEdge", "glmedge"},
    {"mistralai/Mistral-7B-Instruct-v0.2 (mistralai 'v1' template with a system prompt)",
     "mistral-v1"},
    {"Mistral-Large-Instruct-2407 (mistralai 'v3' template; modified to have system prompt at "
     "start)",
     "mistral-v3"},
    {"Mistral-Nemo-Instruct-2407 (mistralai 'v3-tekken' template; modified to have system prompt "
     "at start)",
     "mistral-v3-tekken"},
    {"mistralai/Mistral-Large-Instruct-2411 (mistralai 'v7' template)", "mistral-v7"},
};

TEST(ChatTemplate, DetectsAndRendersAsLlamaCpp) {
  const nlohmann::json data = golden();
  const std::vector<ChatMessage> conversation = messages_of(data["conversation"]);
  ASSERT_EQ(data["cases"].size(), 36u);
  size_t rendered = 0;
  for (const nlohmann::json& c : data["cases"]) {
    const std::string name = c["name"];
    SCOPED_TRACE(name);
    const std::optional<ChatFormat> format = detect_chat_format(c["template"].get<std::string>());
    const auto want = kRendered.find(name);
    if (want == kRendered.end()) {
      EXPECT_FALSE(format.has_value()) << "detected as " << chat_format_name(*format);
      continue;
    }
    ASSERT_TRUE(format.has_value());
    EXPECT_EQ(chat_format_name(*format), want->second);
    std::vector<ChatMessage> messages = conversation;
    for (const ChatMessage& m : messages_of(c["extra_conversation"])) messages.push_back(m);
    EXPECT_EQ(apply_chat_format(*format, messages, true), c["expected"].get<std::string>());
    ++rendered;
  }
  EXPECT_EQ(rendered, kRendered.size());
}

TEST(ChatTemplate, AFormatsNameSelectsIt) {
  for (int i = 0; i <= static_cast<int>(ChatFormat::kGlmEdge); ++i) {
    const auto format = static_cast<ChatFormat>(i);
    EXPECT_EQ(detect_chat_format(chat_format_name(format)), format) << chat_format_name(format);
  }
  EXPECT_FALSE(detect_chat_format("INVALID TEMPLATE").has_value());
  EXPECT_FALSE(detect_chat_format("").has_value());
}

// The text a new user message adds after a reply the model ended with its end-of-turn token:
// no BOS, and a newline only where the format puts one after that token.
TEST(ChatTemplate, ContinuationFollowsTheLastReply) {
  const std::vector<ChatMessage> history = {
      {"system", "Be brief."}, {"user", "Hello"}, {"assistant", "Hi there"}};
  const ChatMessage next{"user", "Who are you"};
  EXPECT_EQ(chat_continuation(ChatFormat::kChatMl, history, next),
            "\n<|im_start|>user\nWho are you<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_EQ(chat_continuation(ChatFormat::kLlama3, history, next),
            "<|start_header_id|>user<|end_header_id|>\n\nWho are you<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
  EXPECT_EQ(chat_continuation(ChatFormat::kLlama2SysBos, history, next),
            "<s>[INST] Who are you [/INST]");
  EXPECT_EQ(chat_continuation(ChatFormat::kMistralV7, history, next),
            "[INST] Who are you[/INST]");
  EXPECT_EQ(chat_continuation(ChatFormat::kGemma, history, next),
            "\n<start_of_turn>user\nWho are you<end_of_turn>\n<start_of_turn>model\n");
}

// Replaying a conversation turn by turn, as ingot-run -i feeds it (first turn, then each reply
// with its end-of-turn text and the continuation), gives the one-shot rendering of the whole.
// In Mistral's formats the reply the model writes starts with the space the format puts after
// [/INST].
TEST(ChatTemplate, TurnByTurnIsTheWholeConversation) {
  const std::vector<ChatMessage> conversation = {
      {"system", "Be brief."}, {"user", "Hello"},  {"assistant", "Hi there"},
      {"user", "Who are you"}, {"assistant", "A model"}, {"user", "Another question"}};
  for (ChatFormat format : {ChatFormat::kChatMl, ChatFormat::kLlama3, ChatFormat::kLlama2Sys,
                            ChatFormat::kLlama2SysBos, ChatFormat::kMistralV1,
                            ChatFormat::kMistralV3, ChatFormat::kMistralV7, ChatFormat::kPhi3,
                            ChatFormat::kZephyr, ChatFormat::kGemma, ChatFormat::kMonarch,
                            ChatFormat::kDeepSeek}) {
    SCOPED_TRACE(chat_format_name(format));
    std::vector<ChatMessage> history(conversation.begin(), conversation.begin() + 2);
    std::string fed = apply_chat_format(format, history, true);
    for (size_t i = 2; i + 1 < conversation.size(); i += 2) {
      const bool spaced = format == ChatFormat::kMistralV1 || format == ChatFormat::kMistralV3 ||
                          format == ChatFormat::kMistralV7;
      fed += (spaced ? " " : "") + conversation[i].content + chat_end_of_turn(format);
      history.push_back(conversation[i]);
      fed += chat_continuation(format, history, conversation[i + 1]);
      history.push_back(conversation[i + 1]);
    }
    EXPECT_EQ(fed, apply_chat_format(format, conversation, true));
  }
}

}  // namespace
}  // namespace ingot::generate
