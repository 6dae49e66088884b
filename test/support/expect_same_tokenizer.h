// expect_same_tokenizer: GoogleTest checks that two TokenizerSpecs hold the same tokenizer.
#pragma once

#include <gtest/gtest.h>

#include "runtime/tokenizer/tokenizer_spec.h"

namespace ingot::testing {

/// Expects every field that changes tokenization or special ids to be equal.
inline void expect_same_tokenizer(const tokenizer::TokenizerSpec& got,
                                  const tokenizer::TokenizerSpec& want) {
  EXPECT_EQ(got.tokens, want.tokens);
  EXPECT_EQ(got.token_types, want.token_types);
  EXPECT_EQ(got.model, want.model);
  EXPECT_EQ(got.merges, want.merges);
  EXPECT_EQ(got.scores, want.scores);
  EXPECT_EQ(got.add_space_prefix, want.add_space_prefix);
  EXPECT_EQ(got.space_prefix, want.space_prefix);
  EXPECT_EQ(got.split_at_spaces, want.split_at_spaces);
  EXPECT_EQ(got.pre, want.pre);
  EXPECT_EQ(got.bos_id, want.bos_id);
  EXPECT_EQ(got.eos_id, want.eos_id);
  EXPECT_EQ(got.unk_id, want.unk_id);
  EXPECT_EQ(got.pad_id, want.pad_id);
  EXPECT_EQ(got.add_bos, want.add_bos);
  EXPECT_EQ(got.add_eos, want.add_eos);
}

}  // namespace ingot::testing
