package org.lrgrad.android;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Fuzzes the facade's model-description parser: any text (the input bytes as UTF-8) is either a description that
 * the documented grammar accepts, parsed to exactly its widths, or an {@link IllegalArgumentException} naming the
 * description; never another exception. The grammar is restated here as a regular expression plus the bounds, apart
 * from the parser's hand-written scanner. The corpus holds good descriptions and near misses (leading zeros, signs,
 * spaces, other digits, widths at and over the bound, one class).
 */
class ModelDescriptionFuzzTest {
  private static final Pattern GRAMMAR = Pattern.compile("mlp [1-9][0-9]*(-[1-9][0-9]*)+");

  @FuzzTest(maxDuration = "5s")
  void anyTextParsesAsTheGrammarSaysOrIsRefused(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    int[] widths = grammarWidths(text);
    if (widths == null) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelDescription.parse(text),
          () -> "accepted '" + text + "'");
      assertTrue(e.getMessage().startsWith("model description '" + text + "'"), e.getMessage());
      return;
    }
    ModelDescription d = ModelDescription.parse(text);
    assertArrayEquals(widths, d.widths(), text);
    assertEquals(text, d.toString());
    assertEquals(widths[0], d.inputs());
    assertEquals(widths[widths.length - 1], d.classes());
    assertEquals(2 * (widths.length - 1), d.parameterNames().size());
  }

  /** The widths of a description the grammar accepts, or null. */
  private static int[] grammarWidths(String text) {
    if (!GRAMMAR.matcher(text).matches()) {
      return null;
    }
    String[] parts = text.substring("mlp ".length()).split("-");
    int[] widths = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      if (parts[i].length() > 7 || Integer.parseInt(parts[i]) > ModelDescription.MAX_WIDTH) {
        return null;
      }
      widths[i] = Integer.parseInt(parts[i]);
    }
    for (int i = 1; i < widths.length; i++) {
      if ((long) widths[i - 1] * widths[i] > ModelDescription.MAX_ARRAY) {
        return null; // a layer's weight matrix must fit one array
      }
    }
    return widths[widths.length - 1] >= 2 ? widths : null;
  }
}
