#include "runtime/tokenizer/special_tokens.h"

#include <algorithm>
#include <initializer_list>

namespace ingot::tokenizer {

namespace {

uint32_t attr_from_type(TokenType type) {
  switch (type) {
    case TokenType::kNormal: return kAttrNormal;
    case TokenType::kUnknown: return kAttrUnknown;
    case TokenType::kControl: return kAttrControl;
    case TokenType::kUserDefined: return kAttrUserDefined;
    case TokenType::kUnused: return kAttrUnused;
    case TokenType::kByte: return kAttrByte;
    default: return kAttrUndefined;
  }
}

bool is_one_of(std::string_view text, std::initializer_list<std::string_view> candidates) {
  return std::find(candidates.begin(), candidates.end(), text) != candidates.end();
}

// Texts llama.cpp recognizes as end-of-turn, end-of-message and fill-in-the-middle tokens.
bool looks_like_eot_or_fim(std::string_view t) {
  return is_one_of(t, {"<|eot_id|>",
                       "<|im_end|>",
                       "<|end|>",
                       "<end_of_turn>",
                       "<|endoftext|>",
                       "<|end_of_text|>",
                       "<EOT>",
                       "_<EOT>",
                       "[EOT]",
                       "<｜end▁of▁sentence｜>",
                       "<end_of_utterance>",
                       "<|eom_id|>",
                       "<|fim_prefix|>",
                       "<fim-prefix>",
                       "<fim_prefix>",
                       "<｜fim▁begin｜>",
                       "<PRE>",
                       "▁<PRE>",
                       "<|code_prefix|>",
                       "<|prefix|>",
                       "<|fim_suffix|>",
                       "<fim-suffix>",
                       "<fim_suffix>",
                       "<｜fim▁hole｜>",
                       "<SUF>",
                       "▁<SUF>",
                       "<|code_suffix|>",
                       "<|suffix|>",
                       "<|fim_middle|>",
                       "<fim-middle>",
                       "<fim_middle>",
                       "<｜fim▁end｜>",
                       "<MID>",
                       "▁<MID>",
                       "<|code_middle|>",
                       "<|middle|>"});
}

// FIM pad / repo / file-separator tokens end generation too.
bool looks_like_fim_eog(std::string_view t) {
  return is_one_of(t, {"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]", "<|fim_repo|>",
                       "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>", "<|file_sep|>"});
}

bool looks_like_eog(std::string_view t) {
  return is_one_of(t, {"<|eot_id|>",
                       "<|im_end|>",
                       "<|end|>",
                       "<|return|>",
                       "<|call|>",
                       "<|flush|>",
                       "<|calls|>",
                       "<end_of_turn>",
                       "<|endoftext|>",
                       "</s>",
                       "<|eom_id|>",
                       "<EOT>",
                       "_<EOT>",
                       "[EOT]",
                       "[EOS]",
                       "<|end_of_text|>",
                       "<end_of_utterance>",
                       "<eos>",
                       "<turn|>",
                       "<|tool_response>",
                       "<｜end▁of▁sentence｜>",
                       "[e~["});
}

}  // namespace

DerivedTokenInfo derive_token_info(const TokenizerSpec& spec,
                                   const std::vector<std::string>& texts) {
  DerivedTokenInfo info;
  const size_t n = texts.size();
  info.attrs.assign(n, kAttrNormal);
  if (!spec.token_types.empty()) {
    for (size_t i = 0; i < n; ++i) info.attrs[i] = attr_from_type(spec.token_types[i]);
  }
  auto& attrs = info.attrs;
  for (size_t i = 0; i < n; ++i) {
    if (looks_like_eot_or_fim(texts[i]) || looks_like_fim_eog(texts[i])) attrs[i] |= kAttrControl;
  }
  for (size_t i = 0; i < n; ++i) {
    if ((attrs[i] & kAttrControl) && texts[i].find("unused") != std::string::npos) {
      attrs[i] |= kAttrUnused;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (looks_like_fim_eog(texts[i]) || looks_like_eog(texts[i])) {
      info.eog_ids.insert(static_cast<int32_t>(i));
      attrs[i] |= kAttrControl;
    }
  }
  for (size_t i = 0; i < n; ++i) {  // gpt-oss: always rendered
    if (is_one_of(texts[i], {"<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"})) {
      attrs[i] = kAttrUserDefined;
    }
  }
  if (spec.eos_id) info.eog_ids.insert(*spec.eos_id);
  if (spec.eot_id) info.eog_ids.insert(*spec.eot_id);

  int32_t end_id = -1, s_id = -1;
  bool has_return = false, has_call = false, has_flush = false, has_normal_s_marker = false;
  for (int32_t id : info.eog_ids) {
    const std::string& t = texts[id];
    has_return |= t == "<|return|>";
    has_call |= t == "<|call|>" || t == "<|calls|>";
    has_flush |= t == "<|flush|>";
    has_normal_s_marker |= t == "<|tool_response>" || t == "<|plamo:eos|>";
    if (t == "<|end|>") end_id = id;
    if (t == "</s>") s_id = id;
  }
  if (end_id >= 0 && ((has_return && has_call) || (has_call && has_flush))) {
    info.eog_ids.erase(end_id);  // o200k_harmony / solar-open: <|end|> separates, it does not stop
    attrs[end_id] = kAttrUserDefined;
  }
  if (s_id >= 0 && has_normal_s_marker) {
    info.eog_ids.erase(s_id);
    attrs[s_id] = kAttrNormal;
  }
  return info;
}

std::vector<int32_t> special_token_search_order(const std::vector<std::string>& texts,
                                                const std::vector<uint32_t>& attrs) {
  std::vector<int32_t> ids;
  for (size_t i = 0; i < texts.size(); ++i) {
    if (attrs[i] & (kAttrControl | kAttrUserDefined | kAttrUnknown)) ids.push_back(int32_t(i));
  }
  // Same algorithm, input order and comparator as llama.cpp, so ties between
  // equally long texts come out in the same (unspecified) order.
  std::sort(ids.begin(), ids.end(),
            [&](int32_t a, int32_t b) { return texts[a].size() > texts[b].size(); });
  return ids;
}

std::vector<Fragment> partition_special_tokens(std::string_view text, bool parse_special,
                                               const std::vector<int32_t>& search_order,
                                               const std::vector<std::string>& texts,
                                               const std::vector<uint32_t>& attrs) {
  std::vector<Fragment> fragments;
  if (text.empty()) return fragments;
  fragments.push_back(Fragment{-1, 0, text.size()});
  std::vector<Fragment> next;
  for (int32_t id : search_order) {
    if (!parse_special && (attrs[id] & (kAttrControl | kAttrUnknown))) continue;
    const std::string& needle = texts[id];
    next.clear();
    for (const Fragment& fragment : fragments) {
      if (fragment.token >= 0) {
        next.push_back(fragment);
        continue;
      }
      const size_t end = fragment.offset + fragment.length;
      const std::string_view window = text.substr(0, end);
      size_t position = fragment.offset;
      for (size_t match = window.find(needle, position); match != std::string_view::npos;
           match = window.find(needle, position)) {
        if (match > position) next.push_back(Fragment{-1, position, match - position});
        next.push_back(Fragment{id, 0, 0});
        position = match + needle.size();
      }
      if (position < end) next.push_back(Fragment{-1, position, end - position});
    }
    fragments.swap(next);
  }
  return fragments;
}

}  // namespace ingot::tokenizer
