package org.servicetokens.keycloak.rest;

import java.util.Locale;
import java.util.Set;

/**
 * What text an admin may give a token (names, descriptions, notification addresses): only characters that show
 * as what they are. Refused, so a name cannot display as another one: control characters (Unicode Cc, and the
 * line/paragraph separators U+2028/U+2029), every format character (Cf: the bidirectional embeddings, overrides
 * and isolates U+202A–U+202E and U+2066–U+2069, the marks U+200E/U+200F/U+061C, the zero-width U+200B–U+200D,
 * U+2060–U+2064, U+FEFF, the soft hyphen U+00AD, tags…), unpaired surrogates, private-use, unassigned and
 * non-characters, and the blank "letters" that render as nothing (Hangul fillers U+115F, U+1160, U+3164, U+FFA0,
 * Braille blank U+2800, U+034F, U+17B4/U+17B5, Mongolian U+180B–U+180F).
 */
final class TextRules {

    private static final Set<Integer> INVISIBLE = Set.of(
            0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180E, 0x180F, 0x2800, 0x3164, 0xFFA0);

    private TextRules() {}

    /** Leading and trailing white space of any kind (including no-break and other Unicode spaces) removed. */
    static String strip(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && isSpace(text.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(start, end);
    }

    /** @throws ApiError 400 naming the field, the first refused character (as U+XXXX) and its position */
    static void check(String field, String text, boolean allowLineBreaks) {
        int index = firstRefused(text, allowLineBreaks);
        if (index >= 0) {
            int codePoint = text.codePointAt(index);
            throw ApiError.badRequest("'" + field + "' must not contain control, formatting or invisible characters "
                    + "(such as bidirectional overrides or zero-width spaces); found U+"
                    + String.format(Locale.ROOT, "%04X", codePoint) + " at position "
                    + (text.codePointCount(0, index) + 1));
        }
    }

    /** The char index of the first refused character, or -1. */
    static int firstRefused(String text, boolean allowLineBreaks) {
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            if (refused(codePoint, allowLineBreaks)) {
                return i;
            }
            i += Character.charCount(codePoint);
        }
        return -1;
    }

    /** Echoed input is shortened and every refused character replaced, so an error message cannot carry a payload. */
    static String printable(String value) {
        StringBuilder out = new StringBuilder();
        value.codePoints().limit(80).forEach(cp -> {
            if (refused(cp, false)) {
                out.append('?');
            } else {
                out.appendCodePoint(cp);
            }
        });
        return value.codePointCount(0, value.length()) > 80 ? out + "…" : out.toString();
    }

    private static boolean refused(int codePoint, boolean allowLineBreaks) {
        if (allowLineBreaks && (codePoint == '\n' || codePoint == '\t')) {
            return false;
        }
        if (INVISIBLE.contains(codePoint)
                || (codePoint & 0xFFFE) == 0xFFFE
                || (codePoint >= 0xFDD0 && codePoint <= 0xFDEF)) {
            return true;
        }
        return switch (Character.getType(codePoint)) {
            case Character.CONTROL,
                    Character.FORMAT,
                    Character.SURROGATE,
                    Character.PRIVATE_USE,
                    Character.UNASSIGNED,
                    Character.LINE_SEPARATOR,
                    Character.PARAGRAPH_SEPARATOR -> true;
            default -> false;
        };
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || Character.getType(c) == Character.SPACE_SEPARATOR;
    }
}
