#include "runtime/tokenizer/clean_spaces.h"

namespace ingot::tokenizer {

// The passes compact the buffer in place and read the previous character from
// it; pass 2 also blanks the space it drops after a lone apostrophe with '\0',
// which the next step then sees as its previous character. Kept as is, since
// these quirks decide the output.
void clean_up_tokenization_spaces(std::string& s) {
  // Pass 1: " ?" " !" " ." " ," lose the space.
  size_t n = s.size();
  size_t out = n ? 1 : 0;
  for (size_t i = 1; i < n; ++i) {
    const char x = s[i];
    if (s[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) --out;
    s[out++] = x;
  }
  // Pass 2: " ' " loses both spaces.
  n = out;
  out = n ? 1 : 0;
  for (size_t i = 1; i < n; ++i) {
    const char x = s[i];
    if (x == '\'' && i + 1 < n && s[i - 1] == ' ' && s[i + 1] == ' ') {
      --out;
      s[++i] = '\0';
    }
    s[out++] = x;
  }
  // Pass 3: " 's" " 'm" " 're" " 've" lose the space.
  n = out;
  out = n ? 1 : 0;
  for (size_t i = 1; i < n; ++i) {
    const char x = s[i];
    if (s[i - 1] == ' ' && x == '\'' && i + 1 < n) {
      const char x1 = s[i + 1];
      if (x1 == 's' || x1 == 'm') {
        --out;
      } else if (x1 != 't' && x1 != 'd' && i + 2 < n) {
        const char x2 = s[i + 2];
        if ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e')) --out;
      }
    }
    s[out++] = x;
  }
  s.resize(out);
}

}  // namespace ingot::tokenizer
